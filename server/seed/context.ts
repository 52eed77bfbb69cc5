import type { Connection } from 'mongoose';
import type { AppContext } from '../context';
import type { Models } from '../models';

/** The connection the registry's models are bound to. */
export const connOf = (models: Models): Connection => models.Region.db;

/** The features' faces the seed and `npm run admin` call read and write only their own models on this connection. */
export const contextOf = (models: Models) => ({ conn: connOf(models) }) as AppContext;
