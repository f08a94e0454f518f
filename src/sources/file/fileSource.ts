import { stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
import { glob } from 'tinyglobby'
import type { Policy } from '../../policy/types.js'
import { FieldCatalog } from '../../records/fieldCatalog.js'
import { createNormalizer, type Normalizer } from '../../records/normalize.js'
import { EvidenceBuilder } from '../../sketch/evidenceBuilder.js'
import { judgeSampler } from '../textSample.js'
import { DEFAULT_MAX_AGE_MS, type Evidence } from '../../sketch/evidence.js'
import {
  SourceError,
  earliestCanarySink,
  type CollectRequest,
  type ReadProgress,
  type Source
} from '../source.js'
import { forEachCsvRow } from './csv.js'
import { describeBytes, forEachLine } from './lines.js'
import { EMPTY_FILE, openDecoded, type OpenedFile } from './open.js'
import {
  defaultParallelOptions,
  ParallelReader,
  splittable,
  type ParallelOptions
} from './parallelReader.js'
import { BAD_JSON, parseJson, RowReader, spanReadOptions, type RowSink } from './rowReader.js'

export type FileFormat = 'auto' | 'jsonl' | 'csv' | 'otlp'

export interface FileSourceOptions {
  /** Globs (tinyglobby syntax) or plain paths, relative to baseDir unless absolute. */
  patterns: string[]
  baseDir: string
  /** `auto`: .csv (after stripping .gz) is CSV, anything else JSONL, with OTLP/JSON detected per line. */
  format: FileFormat
  policy: Policy
  /** Longer JSONL lines (CSV rows) are skipped and counted as malformed. Default 1 MiB. */
  maxLineBytes?: number
  /**
   * Large plain JSONL files parsed on worker threads (parallelReader.ts); `false` reads every
   * file on this thread. Default: defaultParallelOptions().
   */
  parallel?: ParallelOptions | false
}

export const DEFAULT_MAX_LINE_BYTES = 1 << 20
/** A whole-file JSON document (a pretty-printed OTLP export, a JSON array) is read whole up to this. */
export const MAX_DOCUMENT_BYTES = 64 << 20
const MAX_PROBLEMS_IN_MESSAGE = 10

/** What reading files feeds: the EvidenceBuilder, or firstCanaryTime's scan. */
type RecordSink = Pick<
  EvidenceBuilder,
  'line' | 'malformed' | 'unmatchedArm' | 'add' | 'fileDone'
> &
  Partial<Pick<EvidenceBuilder, 'calls'>>

interface FileOutcome {
  path: string
  lines: number
  problem?: string
}

/**
 * Evidence from log files: JSONL (the canonical request record, DESIGN.md), CSV with a header row,
 * or OTLP/JSON trace exports; each optionally gzipped. Files are streamed one at a time, so memory
 * holds the sketches, not the rows. Bad lines and bad files are counted in the evidence's data
 * quality; SourceError only when no file matches or no file yields a single line.
 */
export class FileSource implements Source {
  private readonly patterns: string[]
  private readonly baseDir: string
  private readonly format: FileFormat
  private readonly policy: Policy
  private readonly maxLineBytes: number
  private readonly normalize: Normalizer
  private readonly parallel: ParallelOptions | undefined

  constructor(opts: FileSourceOptions) {
    this.patterns = opts.patterns
    this.baseDir = opts.baseDir
    this.format = opts.format
    this.policy = opts.policy
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    this.normalize = createNormalizer(opts.policy)
    // With a judge the records carry the texts the sampler needs: read on this thread.
    this.parallel =
      opts.parallel === false || opts.policy.judge !== undefined
        ? undefined
        : (opts.parallel ?? defaultParallelOptions())
  }

  describe(): string {
    return `files ${this.patterns.join(', ')}`
  }

  async collect(request: CollectRequest): Promise<Evidence> {
    const builder = new EvidenceBuilder({
      policy: this.policy,
      window: request.window,
      now: request.now,
      source: this.describe(),
      ...(request.rolloutStartedAt !== undefined && { rolloutStartedAt: request.rolloutStartedAt })
    })
    const fields = new FieldCatalog(this.policy)
    const progress = request.progress && { report: request.progress, lines: 0 }
    // Only with a judge: a seeded sample of texts per arm rides along (off the hot path otherwise).
    const sampler = judgeSampler(this.policy, request)
    if (!sampler) {
      await this.readAll(builder, fields, progress)
      builder.fieldsSeen(fields.result())
      return builder.finish()
    }
    await this.readAll(
      {
        line: () => builder.line(),
        malformed: (where, reason) => builder.malformed(where, reason),
        unmatchedArm: value => builder.unmatchedArm(value),
        fileDone: (path, lines, malformed, problem, incomplete) =>
          builder.fileDone(path, lines, malformed, problem, incomplete),
        calls: (scope, version, calls, failed) => builder.calls(scope, version, calls, failed),
        add: r => {
          builder.add(r)
          sampler.offer(r)
        }
      },
      fields,
      progress
    )
    builder.fieldsSeen(fields.result())
    return { ...builder.finish(), texts: sampler.samples() }
  }

  async firstCanaryTime(until: number): Promise<number | undefined> {
    const sink = earliestCanarySink(until, this.policy.dataQuality.maxAge ?? DEFAULT_MAX_AGE_MS)
    await this.readAll(sink)
    return sink.first()
  }

  /** The files the patterns name, sorted, each once. */
  private async files(): Promise<string[]> {
    const found = new Set<string>()
    for (const pattern of this.patterns) {
      const literal = resolve(this.baseDir, pattern)
      // An existing file is taken as named, so `traffic (1).jsonl` is not read as a glob.
      if (await isFile(literal)) found.add(literal)
      else for (const path of await glob(pattern, globOptions(this.baseDir))) found.add(path)
    }
    if (found.size === 0) {
      throw new SourceError(
        `no file matches ${this.patterns.map(p => `"${p}"`).join(', ')} (searched in ${this.baseDir}); ` +
          'check source.path in the policy, or the --records / records paths'
      )
    }
    return [...found].sort()
  }

  private async readAll(
    sink: RecordSink,
    fields?: FieldCatalog,
    progress?: { report: (p: ReadProgress) => void; lines: number }
  ): Promise<void> {
    const outcomes: FileOutcome[] = []
    const pool =
      this.parallel &&
      new ParallelReader(this.parallel, { policy: this.policy, maxLineBytes: this.maxLineBytes })
    try {
      const files = await this.files()
      const total = files.length
      const counted: RecordSink = progress
        ? {
            ...pick(sink),
            line: () => {
              sink.line()
              // Every 64k lines: cheap on the hot path, often enough for a progress line.
              if ((++progress.lines & 0xffff) === 0) {
                progress.report({ lines: progress.lines, files: { read: outcomes.length, total } })
              }
            }
          }
        : sink
      for (const path of files) {
        outcomes.push(await this.readFile(path, counted, pool, fields))
        progress?.report({ lines: progress.lines, files: { read: outcomes.length, total } })
      }
    } finally {
      await pool?.close()
    }
    if (outcomes.every(o => o.lines === 0)) {
      const problems = outcomes
        .slice(0, MAX_PROBLEMS_IN_MESSAGE)
        .map(o => `${o.path}: ${o.problem ?? 'no lines'}`)
      if (outcomes.length > MAX_PROBLEMS_IN_MESSAGE) {
        problems.push(`and ${outcomes.length - MAX_PROBLEMS_IN_MESSAGE} more`)
      }
      throw new SourceError(
        `no records could be read from ${this.describe()}: ${problems.join('; ')}`
      )
    }
  }

  private async readFile(
    absolutePath: string,
    sink: RecordSink,
    pool: ParallelReader | undefined,
    fields: FieldCatalog | undefined
  ): Promise<FileOutcome> {
    const path = this.displayPath(absolutePath)
    fields?.beginFile()
    const rowSink: RowSink = {
      line: () => sink.line(),
      malformed: (lineNo, reason) => sink.malformed(`${path}:${lineNo}`, reason),
      unmatchedArm: value => sink.unmatchedArm(value),
      add: r => sink.add(r),
      call: (scope, version, failed) => sink.calls?.(scope, version, 1, failed ? 1 : 0)
    }
    const reader = new RowReader(
      rowSink,
      this.normalize,
      spanReadOptions(this.policy, this.policy.judge !== undefined),
      fields
    )
    const format = this.formatOf(absolutePath)
    const documentAllowed = this.documentAllowed(absolutePath)
    let problem: string | undefined
    try {
      const split =
        pool && format === 'jsonl' && !documentAllowed
          ? await splittable(absolutePath, pool.minFileBytes)
          : undefined
      if (pool && split) {
        await pool.read(absolutePath, split.size, split.skip, {
          countLine: () => reader.countLine(),
          bad: (lineNo, reason) => reader.bad(lineNo, reason),
          unmatchedArm: rowSink.unmatchedArm,
          add: (r, unit) => sink.add(r, unit),
          spans: (spans, calls) => {
            reader.spans += spans
            reader.calls += calls
          },
          calls: (scope, version, calls, failed) => sink.calls?.(scope, version, calls, failed),
          ...(fields && { fields })
        })
      } else {
        const opened = await openDecoded(absolutePath)
        if (opened.problem !== undefined) problem = opened.problem
        else if (format === 'csv') problem = await this.readCsv(opened.chunks, reader)
        else problem = await this.readJsonl(absolutePath, opened, reader, documentAllowed)
      }
    } catch (e) {
      // A read error mid-file (a truncated gzip: "unexpected end of file") loses its rest.
      problem = `cannot read to its end (after ${reader.lines} lines): ${(e as Error).message}`
    }
    // Only an empty file was read whole; any other problem means data that was not read.
    const incomplete = problem !== undefined && problem !== EMPTY_FILE
    // A trace file read whole whose spans hold no LLM call is a problem, but no data was lost.
    if (problem === undefined && reader.lines === 0 && reader.spans > 0) problem = noCalls(reader)
    sink.fileDone(path, reader.lines, reader.malformed, problem, incomplete)
    return problem === undefined
      ? { path, lines: reader.lines }
      : { path, lines: reader.lines, problem }
  }

  /** Returns why the file was not read to its end, if it was not. */
  private async readCsv(
    chunks: AsyncIterable<Buffer>,
    reader: RowReader
  ): Promise<string | undefined> {
    return forEachCsvRow(
      chunks,
      this.maxLineBytes,
      (row, lineNo) => {
        reader.countLine()
        reader.row(row, lineNo, '')
      },
      (lineNo, reason) => {
        reader.countLine()
        reader.bad(lineNo, reason)
      }
    )
  }

  /**
   * JSONL, each line a record or an OTLP export. When the file may be a single JSON document (a
   * `.json` file, or format otlp) and its first line is not JSON on its own (a pretty-printed
   * document) or is too long, it is read again whole. Returns a problem with the file, if any.
   */
  private async readJsonl(
    absolutePath: string,
    opened: OpenedFile & { chunks: AsyncIterable<Buffer> },
    reader: RowReader,
    documentAllowed: boolean
  ): Promise<string | undefined> {
    const maxLine =
      this.format === 'otlp' ? Math.max(this.maxLineBytes, MAX_DOCUMENT_BYTES) : this.maxLineBytes
    const tooLong = `line too long (> ${describeBytes(maxLine)})`
    let firstLine = true
    try {
      await forEachLine(
        opened.chunks,
        maxLine,
        (text, lineNo) => {
          const value = parseJson(text)
          if (firstLine && documentAllowed && value === BAD_JSON && startsLikeDocument(text)) {
            throw READ_AS_DOCUMENT
          }
          firstLine = false
          reader.json(value, lineNo)
        },
        lineNo => {
          if (firstLine && documentAllowed) throw READ_AS_DOCUMENT
          firstLine = false
          reader.countLine()
          reader.bad(lineNo, tooLong)
        }
      )
    } catch (e) {
      if (e !== READ_AS_DOCUMENT) throw e
      return this.readDocument(absolutePath, reader)
    }
    return undefined
  }

  /** A whole-file JSON document: an OTLP export, an array of records, or one record. */
  private async readDocument(absolutePath: string, reader: RowReader): Promise<string | undefined> {
    const opened = await openDecoded(absolutePath)
    if (opened.problem !== undefined) return opened.problem
    const parts: Buffer[] = []
    let bytes = 0
    for await (const chunk of opened.chunks) {
      bytes += chunk.length
      if (bytes > MAX_DOCUMENT_BYTES)
        return `JSON document larger than ${describeBytes(MAX_DOCUMENT_BYTES)}`
      parts.push(chunk)
    }
    const value = parseJson(Buffer.concat(parts, bytes).toString('utf8'))
    if (value === BAD_JSON) {
      // Not one document after all: count its lines as JSONL, each bad one reported.
      const again = await openDecoded(absolutePath)
      if (again.problem !== undefined) return again.problem
      return this.readJsonl(absolutePath, again, reader, false)
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => reader.json(item, 1, `record ${i + 1}: `))
    } else {
      reader.json(value, 1)
    }
    return undefined
  }

  private formatOf(path: string): Exclude<FileFormat, 'auto'> {
    if (this.format !== 'auto') return this.format
    return withoutGz(path).endsWith('.csv') ? 'csv' : 'jsonl'
  }

  private documentAllowed(path: string): boolean {
    return this.format === 'otlp' || (this.format === 'auto' && withoutGz(path).endsWith('.json'))
  }

  /** Relative to baseDir when inside it: shorter, and no runner home folder in a PR comment. */
  private displayPath(path: string): string {
    const rel = relative(this.baseDir, path)
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel
  }
}

/** An OTLP file whose spans include no call to a model: say what was looked for. */
function noCalls(reader: RowReader): string {
  return `${reader.spans} OTLP spans, none a call to a model (a span with gen_ai.* attributes, OpenLLMetry's llm.* ones, or openinference.span.kind LLM or EMBEDDING); check that the LLM client library is instrumented`
}

/** A sink's methods, bound (an EvidenceBuilder's are class methods). */
function pick(sink: RecordSink): RecordSink {
  return {
    line: () => sink.line(),
    malformed: (where, reason) => sink.malformed(where, reason),
    unmatchedArm: value => sink.unmatchedArm(value),
    add: (r, unit) => sink.add(r, unit),
    fileDone: (path, lines, malformed, problem, incomplete) =>
      sink.fileDone(path, lines, malformed, problem, incomplete),
    ...(sink.calls && {
      calls: (scope: string, version: string | undefined, calls: number, failed: number) =>
        sink.calls?.(scope, version, calls, failed)
    })
  }
}

/** Thrown out of the line loop to stop it and re-read the file as one document. */
const READ_AS_DOCUMENT = new Error('read as a whole JSON document')

function startsLikeDocument(text: string): boolean {
  const first = text.trimStart()[0]
  return first === '{' || first === '['
}

function withoutGz(path: string): string {
  const lower = path.toLowerCase()
  return lower.endsWith('.gz') ? lower.slice(0, -3) : lower
}

function globOptions(cwd: string) {
  // expandDirectories off: a folder named as a pattern would otherwise pull in every file under it.
  return { cwd, absolute: true, onlyFiles: true, expandDirectories: false }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
