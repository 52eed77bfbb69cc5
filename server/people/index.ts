/**
 * The people face: how a person on record appears to a viewer (the one appearance rule) and the
 * masking of personal data in free text. Pure functions; this feature has no data of its own.
 */
export { ANONYMOUS_NAME, PUBLIC_POINT_DECIMALS, SYSTEM_NAME, appearance, maskName, maskNamesIn, maskPrivateText, pointFor, type PersonOnRecord, type PointOnRecord, type ViewerSight } from './privacy';
