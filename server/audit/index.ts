/**
 * The audit feature's face: recording who did what to which record (personal-data reads, bindings,
 * photo access). The log itself is read by nobody else.
 */
export { auditService, type AuditContext } from './service';
