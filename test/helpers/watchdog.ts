import { spawn } from 'node:child_process'

/**
 * Stops a throwaway server if this process ends without calling `stop()`
 * (a test worker killed on a timeout, Ctrl-C on a bench): a small shell
 * holds the read end of a pipe whose write end only this process has, so it
 * sees end-of-file whenever this process goes, however it goes, and then
 * signals the server, escalates to SIGKILL after 15 s and removes its
 * directory. `cancel()` is for the ordinary path, where `stop()` does all of
 * that itself.
 */
export function watchdog(pid: number, signal: 'INT' | 'TERM', dir: string): { cancel(): void } {
  const script = [
    'cat >/dev/null',
    `kill -${signal} "$1" 2>/dev/null`,
    'i=0',
    'while kill -0 "$1" 2>/dev/null; do',
    '  i=$((i+1)); [ "$i" -gt 150 ] && kill -KILL "$1" 2>/dev/null',
    '  sleep 0.1',
    'done',
    'rm -rf "$2"'
  ].join('\n')
  const guard = spawn('sh', ['-c', script, 'watchdog', String(pid), dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true
  })
  guard.unref()
  guard.stdin?.on('error', () => {})
  ;(guard.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  return {
    cancel() {
      guard.kill('SIGKILL')
    }
  }
}
