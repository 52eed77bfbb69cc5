import { emptyTally, type CellKey } from '../../server/measures/formulas';
import { packCells, unpackCells, PACK_FORMAT } from '../../server/measures/pack';

const key = (regionPath: string): CellKey => ({ regionPath, departmentId: 'd1', categoryId: null, channel: 'h5' });

describe('a rolled-up day packed into one string', () => {
  it('reads back every cell with its counts and durations, zeros and empty lists included', () => {
    // Catches: a pack that drops a cell, a count, a duration behind a median, or turns a null
    // category into a string.
    const busy = emptyTally();
    busy.received = 3;
    busy.overdueAccept = 1;
    busy.replySec = [3600, 7200];
    const quiet = emptyTally();
    const cells = [
      { cell: key('/DX/DX-01/DX-01-02/'), tally: busy },
      { cell: key('/DX/DX-02/'), tally: quiet },
    ];
    expect(unpackCells(packCells(cells))).toEqual(cells);
  });

  it('reads a figure added after a day was packed as zero, and refuses a pack of another format', () => {
    // Catches: a figure formulas.ts gains later read as undefined (NaN in every sum) from the
    // days packed before it; a newer server's format read as if it were this one's.
    const old = JSON.stringify({ v: PACK_FORMAT, rows: [['/DX/', null, null, 'h5', { received: 2 }, {}]] });
    const [{ tally }] = unpackCells(old);
    expect(tally).toEqual({ ...emptyTally(), received: 2 });
    expect(() => unpackCells(JSON.stringify({ v: PACK_FORMAT + 1, rows: [] }))).toThrow(/format/);
  });
});
