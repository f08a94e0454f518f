import { workerData, parentPort } from 'node:worker_threads';
import { n as createNormalizer, F as FieldCatalog } from './chunk-records.js';
import { R as RecordBatchWriter, s as spanReadOptions, t as transferList, a as RowReader, r as readRangeRows } from './chunk-recordBatch.js';
import 'node:fs/promises';
import './chunk-textSample.js';

/**
 * A parsing worker of the parallel JSONL reader (parallelReader.ts): reads the lines of one byte
 * range of a file, parses and normalises them, and posts the records back in columns. Bundled as
 * its own entry (dist/fileWorker.js), so it loads none of the Action's dependencies.
 */
const setup = workerData;
const normalize = createNormalizer(setup.policy);
const port = parentPort;
const writer = new RecordBatchWriter(setup.rawKeys);
const readBuffer = Buffer.allocUnsafe(1 << 20);
const spanOptions = spanReadOptions(setup.policy, false);
async function readChunk(task) {
    const started = performance.now();
    const malformedLines = [];
    const malformedReasons = [];
    const unmatched = [];
    const scopes = [];
    const fields = new FieldCatalog(setup.policy, { chunk: true, nestedRows: task.nestedRows });
    const rows = new RowReader({
        line: () => { },
        malformed: (lineNo, reason) => {
            malformedLines.push(lineNo);
            malformedReasons.push(reason);
        },
        unmatchedArm: value => unmatched.push(value),
        add: r => writer.add(r),
        call: (scope, version, failed) => {
            let entry = scopes.find(e => e.scope === scope && e.version === version);
            if (entry === undefined) {
                entry =
                    version === undefined
                        ? { scope, calls: 0, failed: 0 }
                        : { scope, version, calls: 0, failed: 0 };
                scopes.push(entry);
            }
            entry.calls++;
            if (failed)
                entry.failed++;
        }
    }, normalize, spanOptions, fields);
    const physicalLines = await readRangeRows(task, setup.maxLineBytes, rows, readBuffer);
    return {
        task: task.id,
        physicalLines,
        lines: rows.lines,
        malformedLines,
        malformedReasons,
        unmatched,
        spans: rows.spans,
        calls: rows.calls,
        scopes,
        fields: fields.chunk(),
        batch: writer.take(),
        ms: performance.now() - started
    };
}
// One chunk at a time, in the order they were sent.
let queue = Promise.resolve();
port.on('message', (task) => {
    if (task.spare)
        writer.recycle(task.spare);
    queue = queue.then(async () => {
        try {
            const result = await readChunk(task);
            port.postMessage(result, transferList(result.batch));
        }
        catch (e) {
            writer.take(); // drops the failed chunk's records: the next batch starts empty
            port.postMessage({ task: task.id, error: e.message });
        }
    });
});
