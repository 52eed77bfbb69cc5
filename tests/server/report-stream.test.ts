/**
 * The monthly report's writer (server/reports/workbook.ts) paces its reading of the appeals to the
 * client reading the file: a month of 100k appeals must never sit in memory because a township
 * office downloads it over a slow line. No database: the rows are generated (bench/support/
 * report-input.ts, as the writer's bench has them) and counted as the writer pulls them; the
 * "client" is a Writable that takes one chunk of the file at a time when the test says so.
 *
 * The check is on behaviour, not on time or memory figures: at every moment, the share of rows
 * pulled may run ahead of the share of the file delivered only by what a few stream buffers hold.
 * A writer that commits rows into exceljs' stream without waiting for the zip to take them (as
 * it did, looking only at the response every 500 rows) pulls the whole month while the client
 * has had a fraction of the file.
 */
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { SHEET_NAMES, writeMonthlyReport } from '../../server/reports/workbook';
import { generatedReport, generatedRow } from '../../bench/support/report-input';

const ROWS = 10_000;

/** A client that takes one chunk of the file each time `take()` is called. */
function slowClient() {
  const chunks: Buffer[] = [];
  const waiting: (() => void)[] = [];
  let delivered = 0;
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      waiting.push(() => {
        chunks.push(chunk);
        delivered += chunk.length;
        done();
      });
    },
  });
  return {
    sink,
    take: () => waiting.shift()?.(),
    pending: () => waiting.length,
    delivered: () => delivered,
    file: () => Buffer.concat(chunks),
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

it('reads the month\'s appeals only as fast as the client takes the file, and the file holds them all', async () => {
  // Catches: a writer that stops streaming (rows committed into exceljs' stream faster than the
  // zip takes them, buffering the month; or the workbook built in memory and sent at the end).
  const { input, pulled } = generatedReport(ROWS);
  const client = slowClient();
  let done = false;
  const written = writeMonthlyReport(client.sink, input, { stopped: () => false, gone: new Promise(() => {}) }).finally(() => {
    done = true;
  });

  // Record, at each chunk the client takes, how far the reading and the delivery have come.
  // (The zip compresses on libuv's threads: an idle client waits a millisecond for it. A writer
  // that never finishes fails by the test's time limit.)
  const samples: { pulled: number; delivered: number }[] = [];
  while (!done) {
    if (client.pending()) {
      client.take();
      samples.push({ pulled: pulled(), delivered: client.delivered() });
      await tick();
    } else await new Promise((r) => setTimeout(r, 1));
  }
  const result = await written;
  expect(result).toEqual({ overdue: 0, appeals: ROWS });

  const total = client.delivered();
  // The file is big enough that a few 16-64 kB buffers are a small part of it.
  expect(total).toBeGreaterThan(300 * 1024);
  const lead = Math.max(...samples.map((s) => s.pulled / ROWS - s.delivered / total));
  // With the client holding back, the writer stayed close behind it: at most a quarter of the
  // month read ahead of what the client had (buffers in flight), never the whole month.
  expect(lead).toBeLessThan(0.25);
  // And while the client had received under a tenth of the file, most rows were still unread.
  const early = samples.filter((s) => s.delivered < total / 10);
  expect(early.length).toBeGreaterThan(0);
  expect(Math.max(...early.map((s) => s.pulled))).toBeLessThan(ROWS / 2);

  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(client.file() as unknown as ArrayBuffer);
  const sheet = wb.getWorksheet(SHEET_NAMES.appeals)!;
  expect(sheet.rowCount).toBe(ROWS + 1);
  expect(sheet.getRow(ROWS + 1).getCell(1).value).toBe(generatedRow(ROWS - 1).number);
}, 120_000);
