/**
 * How the answers of the features whose records show a photo combine (server/photos/access.ts):
 * each feature answers for its own records (photos/holders.ts), photos decides from all of them.
 */
import type { AuthUser } from '../../server/core/route';
import { originalAccess } from '../../server/photos/access';
import type { PhotoRecords, PhotoStanding } from '../../server/photos/holders';

const user: AuthUser = { id: '0123456789abcdef01234567', name: '测试', roles: ['resident'], scopePaths: [], scopeRegionIds: [], departmentId: null, regionId: null };
const photo = { uploaderIds: ['aaaaaaaaaaaaaaaaaaaaaaaa'] };
const records = (...standings: PhotoStanding[]) => async (): Promise<PhotoRecords[]> =>
  standings.map((s) => ({ count: s === 'none' ? 0 : 1, standing: () => s }));

// Catches: one feature's answer deciding alone (the first holder's 404 hiding another holder's
// 200 or 403), or a caller who may only read a record being handed the original.
test('any holder that lets the caller read the original wins; else one whose record they may read makes it 403; else 404', async () => {
  expect(await originalAccess(user, photo, records('none', 'original'))).toBe('allowed');
  expect(await originalAccess(user, photo, records('record', 'original'))).toBe('allowed');
  expect(await originalAccess(user, photo, records('none', 'record'))).toBe('forbidden');
  expect(await originalAccess(user, photo, records('none', 'none'))).toBe('not_found');
  expect(await originalAccess(user, photo, records())).toBe('not_found');
});

// Catches: the uploader's own read of the bytes they sent waiting on (or refused by) the records.
test('the uploader reads the original without asking the holders', async () => {
  const ask = jest.fn(records('none'));
  expect(await originalAccess({ ...user, id: photo.uploaderIds[0]! }, photo, ask)).toBe('allowed');
  expect(ask).not.toHaveBeenCalled();
});
