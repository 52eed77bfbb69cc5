// What the forms that keep a draft on the device share (我要反映, 我要爆料, 代报/热线代录, 发起议事):
// the draft saved at every change until it is sent, and the photo picker's list mirrored into it.
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { pickedFromRefs, uploadedRefs, type PhotoListUpdate, type PickedPhoto } from '../components/PhotoPicker';
import type { PhotoRef } from '../api/types';

/**
 * Saves `draft` on the device at every change while a user is signed in. The returned `markSent`
 * removes it once the record is made, and from then on nothing saves it again (a late render of
 * the retry key's bookkeeping must not bring a sent draft back).
 */
export function useDeviceDraft<D>(userId: string | null, draft: D, save: (userId: string, draft: D | null) => void): () => void {
  const sent = useRef(false);
  useEffect(() => {
    if (userId && !sent.current) save(userId, draft);
  }, [userId, draft, save]);
  return useCallback(() => {
    sent.current = true;
    if (userId) save(userId, null);
  }, [userId, save]);
}

const sameIds = (a: readonly { id: string }[], b: readonly { id: string }[]) => a.length === b.length && a.every((x, i) => x.id === b[i].id);

/**
 * The photo picker's list for a form with a draft: it starts from the draft's photos, uploaded
 * photos go into the draft (one still uploading exists only in this run of the app), and a change
 * calls `onChange` (to clear the photos' and the form's errors). Returns the list, the picker's
 * update and a setter (清空重填).
 */
export function usePhotosInDraft<D extends { photos: PhotoRef[] }>(
  initial: PhotoRef[],
  setDraft: Dispatch<SetStateAction<D>>,
  onChange: () => void,
): [PickedPhoto[], PhotoListUpdate, Dispatch<SetStateAction<PickedPhoto[]>>] {
  const [photos, setPhotos] = useState<PickedPhoto[]>(() => pickedFromRefs(initial));
  const update: PhotoListUpdate = useCallback(
    (fn) => {
      setPhotos(fn);
      onChange();
    },
    [onChange],
  );
  useEffect(() => {
    const refs = uploadedRefs(photos);
    setDraft((d) => (sameIds(d.photos, refs) ? d : { ...d, photos: refs }));
  }, [photos, setDraft]);
  return [photos, update, setPhotos];
}
