import { z } from 'zod';

/** A photo is named by the SHA-256 of its original bytes: the same picture uploaded twice is one file. */
export const PhotoId = z.string().regex(/^[a-f0-9]{64}$/, '图片编号无效');
export const PhotoIds = z.array(PhotoId).max(9, '最多9张图片');

/** How every API response shows a photo: the display copy and the thumbnail, both without EXIF. */
export const PhotoRef = z.object({ id: z.string(), url: z.string(), thumbUrl: z.string() });
export type PhotoRef = z.infer<typeof PhotoRef>;

/** The answer to an upload. */
export const UploadedPhoto = PhotoRef.extend({ width: z.number().int(), height: z.number().int(), bytes: z.number().int() });
export type UploadedPhoto = z.infer<typeof UploadedPhoto>;

export const PHOTOS_PATH = '/api/v1/photos';
export const photoRef = (id: string): PhotoRef => ({ id, url: `${PHOTOS_PATH}/${id}`, thumbUrl: `${PHOTOS_PATH}/${id}/thumb` });
