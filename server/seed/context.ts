import type { AppContext } from '../context';
import type { Models } from '../models';

/** The features' faces the seed and `npm run admin` call read and write only the models. */
export const contextOf = (models: Models) => ({ models }) as AppContext;
