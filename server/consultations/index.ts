/**
 * The consultations (议事) feature's face: questions put to a community, voted once per person in
 * the mini-program and in the community's group chats, results public, votes secret. The
 * composition root mounts the routes (app.ts), starts the closer (server.ts) and tells it when a
 * WeChat contact is linked to an account (`consultationService(ctx).contactLinked`).
 */
export { consultationRoutes, consultationBotRoutes } from './routes';
export { startConsultationCloser, consultationCloser } from './closer';
export { consultationService } from './service';
export { consultationPhotoHolder } from './photo-holder';
export { CONSULTATION_STATES, type ConsultationState } from './model';
export {
  CONSULTATION_STATE_LABELS,
  BotVoteBatchBody,
  BotVoteBatchResult,
  ConsultationDetail,
  ConsultationPage,
  ConsultationSummary,
  CreateConsultationBody,
  MyVote,
  VoteBody,
} from './schemas';
