/**
 * The tips (爆料) feature's face: residents' clues and pictures for the newsroom, private to the
 * tipster and the newsroom. The composition root mounts the routes (app.ts) and hands the photo
 * holder to the photos feature and the orphan cleanup (who reads a tip photo's original).
 */
export { tipRoutes } from './routes';
export { tipBotRoutes } from './bot-routes';
export { tipPhotoHolder } from './photo-holder';
export { TIP_STATES, type TipState, type TipDoc } from './model';
export { TIP_STATE_LABELS, FromAppealBody, FromAppealResult, CreateTipBody, ListTipsQuery, TipDetail, TipPage, TipSummary, TipMoveBodies } from './schemas';
