/**
 * A resident's "my appeals" on the embedded database: an array field has no per-element index there
 * (db/ferretdb/README.md), so `{followerIds: me}` alone reads every appeal. The follower branch of
 * the scope also says `followersCount > 0`, which an index declared on the model answers, so only
 * appeals someone joined are read (bench at 100k appeals, a tenth of them joined: 979 → 178 ms).
 */
import { appealSchema } from '../../server/appeals/model';
import { ownFilter } from '../../server/appeals/scope';
import type { AuthUser } from '../../server/core/route';

const resident: AuthUser = { id: '65e000000000000000000042', name: '居民', roles: ['resident'], scopePaths: [], scopeRegionIds: [], departmentId: null, regionId: null };

it('the follower branch is narrowed to joined appeals by an indexed field', () => {
  const branch = ownFilter(resident).find((b) => 'followerIds' in b)!;
  // Catches: the narrowing dropped, so every resident's list reads the whole collection again.
  expect(branch.followersCount).toEqual({ $gt: 0 });
  expect(String(branch.followerIds)).toBe(resident.id);
  // Catches: the index that serves the narrowing removed from the model.
  const leading = appealSchema.indexes().map(([keys]) => Object.keys(keys)[0]);
  expect(leading).toContain('followersCount');
});
