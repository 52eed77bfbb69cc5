import { z } from 'zod';
import { trimmed } from '../core/validate';

/** A free text (an appeal's title and description together, a group-chat message) to suggest categories for. */
export const SuggestBody = z.strictObject({
  text: trimmed(1, 2000),
  /** How many categories to answer, most likely first. */
  limit: z.number().int().min(1).max(50).default(5),
});
export type SuggestBody = z.infer<typeof SuggestBody>;

export const SuggestResult = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      group: z.string(),
      /** The posterior (0..1; the active categories' scores sum to 1). */
      score: z.number(),
    }),
  ),
});
export type SuggestResult = z.infer<typeof SuggestResult>;
