/**
 * Direct dispatch by suggestion (智能直派): a filing without a category whose suggestion is sure
 * enough is filed as if that catalogue category had been chosen.
 */

/**
 * The threshold an admin is offered first, and the one in force once they switch direct dispatch
 * on without moving it. 0.85: the scores are softmax posteriors over some twenty categories, kept
 * "calibrated-ish" (service.ts); at 0.85 the runner-up has at most 0.15, so a suggestion this sure
 * is one a dispatcher would rarely overrule, while texts a county writes plainly (路灯不亮, 井盖
 * 丢失) still reach it once a few hundred appeals are learned. The page shows the precision
 * measured at the threshold on the county's own confirmed appeals, so an admin moves it with facts.
 */
export const DIRECT_DISPATCH_DEFAULT_THRESHOLD = 0.85;

/**
 * Off until an admin turns it on. Turning it on moves appeals to units without a person's choice,
 * so it is a county's decision taken on the settings page, beside the precision measured on its
 * own appeals; until then filings flow as they always did (the suggestion shown to the dispatcher).
 * An upgrade must not change where tomorrow's appeals go.
 */
export const DIRECT_DISPATCH_DEFAULT_ENABLED = false;
