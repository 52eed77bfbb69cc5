/**
 * The photos feature's face: what other features may use of it. They check and store photos
 * through the service, show them with the shared shapes, and answer for their own records that
 * show a photo with a holder (holders.ts), which the composition root hands to the photo routes
 * and the cleanup job hands to the orphan cleanup. The route tables are mounted by app.ts.
 */
export { photoService, type PhotoService } from './service';
export { PhotoId, PhotoIds, PhotoRef, UploadedPhoto, PHOTOS_PATH, photoRef } from './schemas';
export type { PhotoHolder, PhotoRecords, PhotoStanding } from './holders';
export { photoRecords } from './records';
