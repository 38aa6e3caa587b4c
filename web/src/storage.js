// Autosave per programme id and version (localStorage), the chosen language, and the
// share link that carries the figures in the URL hash (nothing goes to a server).

const PREFIX = 'dealer-calc:';

function store() {
  try {
    const ls = globalThis.localStorage;
    const probe = `${PREFIX}probe`;
    ls.setItem(probe, '1');
    ls.removeItem(probe);
    return ls;
  } catch {
    return null; // private mode, storage disabled, opaque origin
  }
}

/** One key per programme id + version (+ the dealer id a portal sets with dealer-id). */
export function figuresKey(id, version, dealer = '') {
  return `${PREFIX}figures:${id}@${version}${dealer ? `#${encodeURIComponent(dealer)}` : ''}`;
}

/** The saved form state {raw, dealer, asOf} or null. */
export function loadSaved(id, version, dealer = '') {
  const ls = store();
  if (!ls) return null;
  try {
    const text = ls.getItem(figuresKey(id, version, dealer));
    if (!text) return null;
    const data = JSON.parse(text);
    if (!data || typeof data !== 'object' || typeof data.raw !== 'object') return null;
    const raw = {};
    for (const [k, v] of Object.entries(data.raw)) if (typeof v === 'string') raw[k] = v;
    return {
      raw,
      dealer: { id: String(data.dealer?.id ?? ''), name: String(data.dealer?.name ?? '') },
      asOf: typeof data.asOf === 'string' ? data.asOf : '',
    };
  } catch {
    return null;
  }
}

export function save(id, version, state, dealer = '') {
  const ls = store();
  if (!ls) return false;
  try {
    ls.setItem(figuresKey(id, version, dealer), JSON.stringify({ raw: state.raw, dealer: state.dealer, asOf: state.asOf, saved: Date.now() }));
    return true;
  } catch {
    return false; // quota
  }
}

export function forget(id, version, dealer = '') {
  const ls = store();
  if (ls) ls.removeItem(figuresKey(id, version, dealer));
}

export function loadLocale() {
  const ls = store();
  return ls ? ls.getItem(`${PREFIX}locale`) : null;
}

export function saveLocale(locale) {
  const ls = store();
  if (ls) ls.setItem(`${PREFIX}locale`, locale);
}

// ---- share link -------------------------------------------------------------------
// #_p=<programme id>&_v=<version>&_d=<dealer id>&_n=<dealer name>&_a=<as of>&<metric>=<text>…
// Reserved keys start with "_": metric ids start with a letter, so they never clash.

export function shareHash(id, version, state) {
  const q = new URLSearchParams();
  q.set('_p', id);
  q.set('_v', version);
  if (state.dealer?.id) q.set('_d', state.dealer.id);
  if (state.dealer?.name) q.set('_n', state.dealer.name);
  if (state.asOf) q.set('_a', state.asOf);
  for (const [k, v] of Object.entries(state.raw)) if (v !== '' && v !== undefined) q.set(k, v);
  return `#${q.toString()}`;
}

/** Reads a share hash; null when the hash is not one. */
export function parseShareHash(hash) {
  if (!hash || hash.length < 2) return null;
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  if (!q.has('_p')) return null;
  const raw = {};
  for (const [k, v] of q) if (!k.startsWith('_') && /^[a-z][a-z0-9_]{0,63}$/.test(k)) raw[k] = v;
  return {
    id: q.get('_p'),
    version: q.get('_v') || '',
    state: { raw, dealer: { id: q.get('_d') || '', name: q.get('_n') || '' }, asOf: q.get('_a') || '' },
  };
}
