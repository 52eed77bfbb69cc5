/**
 * The appeal lists by scope on the embedded database: `$or` filters and `_id` paging, stock FerretDB
 * 1.24.2 beside the patched build. `npx tsx bench/or-pushdown.ts [size ...]` (default 20000).
 * `BEFORE_BINARY=<path>` adds a third build (e.g. the patched build of a commit before `$or` was
 * pushed down, from `.cache/ferretdb/<hash>/xianrong-ferretdb`).
 *
 * Documents: appeal-like, reporters and submitters from 5,000 residents, a third with followers,
 * 30 grid region paths, 8 departments, a third overdue; the indexes of server/appeals/model.ts.
 * Shapes (server/appeals/scope.ts, queries.ts): a resident's list `{$or: [{reporterId}, {submittedById},
 * {followerIds}]}` sorted by `_id` desc, limit 21, first page and a later page (`_id < cursor`); a
 * staff member with two roles, `{$and: [{$or: [{regionPath: /^town/}, {departmentId}]}, {overdue:
 * true}, {_id: {$lt: cursor}}]}`, same sort and limit; countDocuments of a resident's scope. Each
 * shape: warm-up queries, then samples until 100 or 10 s (at least 3). Exits 1 if the builds answer
 * differently.
 */
import mongoose from 'mongoose';
import { dbBuilds, sampleShape, sizesFromArgs, withLoadedCollection, type Collection } from './support/db-builds';
import { ms, percentile, prng } from './support/stats';

const { ObjectId } = mongoose.mongo;
type ObjectIdT = InstanceType<typeof ObjectId>;

const SIZES = sizesFromArgs(20_000, 500_000);
const BATCH = 1000;
const SAMPLING = { warmup: 2, maxSamples: 100, minSamples: 3, capMs: 10_000 };
const LIMIT = 21;

const STATES = ['submitted', 'accepted', 'assigned', 'processing', 'replied', 'closed', 'rejected', 'reopened'];
const GRIDS = Array.from({ length: 30 }, (_, k) => `/c1/t${Math.floor(k / 6) + 1}/g${(k % 6) + 1}/`);
const TOWNS = Array.from({ length: 5 }, (_, k) => `/c1/t${k + 1}/`);
const DEPARTMENTS = Array.from({ length: 8 }, (_, k) => new ObjectId(`65d0000000000000000000${String(k + 1).padStart(2, '0')}`));
const RESIDENTS = Array.from({ length: 5000 }, (_, k) => new ObjectId(`65e00000000000000000${k.toString(16).padStart(4, '0')}`));

function makeAppeals(count: number): Record<string, unknown>[] {
  const rnd = prng(20261127);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const t0 = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const at = t0 + Math.floor((i / count) * 300 * 86_400_000);
    const reporterId = pick(RESIDENTS);
    return {
      _id: new ObjectId(Math.floor(at / 1000).toString(16).padStart(8, '0') + i.toString(16).padStart(16, '0')),
      no: `A${String(i).padStart(8, '0')}`,
      reporterId,
      submittedById: rnd() < 0.8 ? reporterId : pick(RESIDENTS),
      followerIds: rnd() < 0.33 ? [pick(RESIDENTS), pick(RESIDENTS)] : [],
      idempotencyKey: `k${i}`,
      state: pick(STATES),
      regionPath: pick(GRIDS),
      departmentId: pick(DEPARTMENTS),
      overdue: rnd() < 0.33,
      description: `路灯不亮，夜间出行不便 ${i}`,
      submittedAt: new Date(at),
    };
  });
}

const own = (me: ObjectIdT) => ({ $or: [{ reporterId: me }, { submittedById: me }, { followerIds: me }] });
const ids = (ds: Record<string, unknown>[]) => ds.map((d) => String(d._id).slice(-6));

interface Shape {
  name: string;
  run(c: Collection, k: number): Promise<unknown>;
}

function shapes(docs: Record<string, unknown>[]): Shape[] {
  // a cursor two thirds into the collection: a later page
  const cursor = docs[Math.floor(docs.length * 0.66)]._id as ObjectIdT;
  return [
    {
      name: 'resident {$or: own} sort _id desc limit 21',
      run: (c, k) => c.find(own(RESIDENTS[(k * 37) % RESIDENTS.length])).sort({ _id: -1 }).limit(LIMIT).toArray().then(ids),
    },
    {
      name: 'resident {$or: own, _id < cursor} sort _id desc',
      run: (c, k) =>
        c
          .find({ $and: [own(RESIDENTS[(k * 41) % RESIDENTS.length]), { _id: { $lt: cursor } }] })
          .sort({ _id: -1 })
          .limit(LIMIT)
          .toArray()
          .then(ids),
    },
    {
      name: 'staff {$or: [town, dept], overdue, _id < cursor}',
      run: (c, k) =>
        c
          .find({
            $and: [
              { $or: [{ regionPath: { $regex: '^' + TOWNS[k % TOWNS.length] } }, { departmentId: DEPARTMENTS[k % DEPARTMENTS.length] }] },
              { overdue: true },
              { _id: { $lt: cursor } },
            ],
          })
          .sort({ _id: -1 })
          .limit(LIMIT)
          .toArray()
          .then(ids),
    },
    {
      name: 'resident countDocuments {$or: own}',
      run: (c, k) => c.countDocuments(own(RESIDENTS[(k * 43) % RESIDENTS.length])),
    },
  ];
}

interface ShapeResult {
  samples: number[];
  answers: string[];
}

async function runBuild(name: string, binary: string, docs: Record<string, unknown>[]): Promise<Map<string, ShapeResult>> {
  const indexes: Array<[Record<string, 1 | -1>, { unique?: boolean }?]> = [
    [{ submittedById: 1, idempotencyKey: 1 }, { unique: true }],
    [{ regionPath: 1, state: 1, _id: -1 }],
    [{ departmentId: 1, state: 1, _id: -1 }],
    [{ reporterId: 1, _id: -1 }],
    [{ state: 1, _id: -1 }],
    [{ overdue: 1, _id: -1 }],
  ];
  return withLoadedCollection({ name, binary, label: 'or' }, { collection: 'appeals', indexes, docs, batch: BATCH }, async (coll) => {
    const byShape = new Map<string, ShapeResult>();
    for (const shape of shapes(docs)) {
      const { samples, answers } = await sampleShape(async (k) => JSON.stringify(await shape.run(coll, k)), SAMPLING);
      byShape.set(shape.name, { samples, answers });
    }
    return byShape;
  });
}

const p50 = (xs: number[]) => percentile(xs, 50);

async function main() {
  const builds = await dbBuilds();
  let disagreements = 0;
  for (const size of SIZES) {
    const docs = makeAppeals(size);
    const results = [];
    for (const [name, bin] of builds) results.push(await runBuild(name, bin, docs));
    console.log(`\n${size} documents, p50 ms (samples):`);
    console.log(`${'shape'.padEnd(50)} ${builds.map(([n]) => n.padStart(16)).join(' ')}`);
    for (const shape of results[0].keys()) {
      const cells = results.map((r) => `${ms(p50(r.get(shape)!.samples))} (${r.get(shape)!.samples.length})`.padStart(16));
      const answers = results.map((r) => JSON.stringify(r.get(shape)!.answers));
      const same = answers.every((a) => a === answers[0]);
      if (!same) disagreements++;
      console.log(`${shape.padEnd(50)} ${cells.join(' ')}${same ? '' : '  RESULTS DIFFER'}`);
    }
  }
  if (disagreements) {
    console.error(`\n${disagreements} shape(s) answered differently`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
