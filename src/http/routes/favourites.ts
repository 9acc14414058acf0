import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { repeatedMuscles, withSetAdded, withSetRemoved, withSetRenamed, type StoredFavouriteSet } from '../../domain/favourite-sets.js';
import type { FavouriteSet } from '../../domain/types.generated.js';
import type { SchemaCheck } from '../../domain/validate-session.js';
import { FAVOURITE_SET_SCHEMA_ID, SET_RENAME_SCHEMA_ID } from '../../favourites/clinic-favourites.js';
import type { FavouriteStore } from '../../favourites/favourite-store.js';
import { badRequest, invalid } from '../../outcome/operation-outcome-error.js';

export interface FavouritesDeps {
  readonly store: FavouriteStore;
  /** The clinic's sets (NEEDLECHART_CLINIC_FAVOURITES), read-only, listed first. */
  readonly clinic: readonly StoredFavouriteSet[];
  readonly check: SchemaCheck;
  /** Whose sets these are: the signed-in clinician of the verified launch (refused when the launch has none). */
  readonly owner: (res: Response) => Promise<string>;
}

const SET_ID = /^[A-Za-z0-9-]{1,64}$/;

function objectBody(req: Request): Record<string, unknown> {
  if (!req.is(['application/json', 'application/fhir+json'])) throw badRequest('Send the request as JSON (Content-Type: application/json)');
  const body = req.body as unknown;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** The name as kept: surrounding spaces dropped (the schema then checks it). */
const trimmed = (value: unknown): unknown => (typeof value === 'string' ? value.trim() : value);

function setIdOf(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!SET_ID.test(id)) throw badRequest('The favourite set must be named by its id', 'id');
  return id;
}

/**
 * /api/favourites: the clinician's favourite muscle sets, behind the chart routes' launch gate. Whose
 * sets they are comes from the verified launch (the EHR and its signed-in Practitioner), never from
 * the request. GET lists the clinic's sets, then the clinician's own; POST saves a set {name, muscles};
 * PATCH /api/favourites/:id renames one {name}; DELETE /api/favourites/:id deletes one. Every set and
 * name is checked against profiles/favourites.schema.json (a single line of at most 60 characters,
 * at most 30 muscles, each from the muscle catalog), refusals naming the field.
 */
export function favouritesRouter(deps: FavouritesDeps): Router {
  const router = Router();
  const checked = <T>(schemaId: string, value: unknown): T => {
    const issues = deps.check(schemaId, value);
    if (issues.length) throw invalid(issues);
    return value as T;
  };

  router.get('/api/favourites', async (_req, res) => {
    const mine = await deps.store.list(await deps.owner(res));
    res.json({ clinic: deps.clinic, mine });
  });

  router.post('/api/favourites', async (req, res) => {
    const body = objectBody(req);
    const set = checked<FavouriteSet>(FAVOURITE_SET_SCHEMA_ID, structuredClone({ ...body, name: trimmed(body.name) }));
    const repeats = repeatedMuscles(set);
    if (repeats.length) throw invalid(repeats);
    const owner = await deps.owner(res);
    const id = `fav-${randomBytes(9).toString('hex')}`;
    const sets = await deps.store.update(owner, (current) => withSetAdded(current, set, id));
    res.status(201).json(sets.find((s) => s.id === id));
  });

  router.patch('/api/favourites/:id', async (req, res) => {
    const id = setIdOf(req);
    const body = objectBody(req);
    const { name } = checked<{ name: string }>(SET_RENAME_SCHEMA_ID, { ...body, name: trimmed(body.name) });
    const sets = await deps.store.update(await deps.owner(res), (current) => withSetRenamed(current, id, name));
    res.json(sets.find((s) => s.id === id));
  });

  router.delete('/api/favourites/:id', async (req, res) => {
    const id = setIdOf(req);
    await deps.store.update(await deps.owner(res), (current) => withSetRemoved(current, id));
    res.status(204).end();
  });
  return router;
}
