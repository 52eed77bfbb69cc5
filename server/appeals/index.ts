/**
 * The appeals feature's face: what other features (and the demo seed) may use of it.
 */
export { appealPhotoHolder } from './photos';
