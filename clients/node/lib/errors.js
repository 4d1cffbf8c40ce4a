'use strict';

/**
 * Every failed hub call rejects with a HubError. `name` is the remote error's name (e.g. 'TypeError')
 * when the published method threw (`source === 'remote'`), or the hub's own error name ('Timeout',
 * 'ProviderGone', 'ObjectNotFound', ...) when the hub could not complete the call (`source === 'hub'`).
 * Pandora threw the remote error as a plain object; a real Error keeps stack traces and `instanceof`.
 */
class HubError extends Error {
  constructor({name, message, code, source}, status) {
    super(message == null ? '' : String(message));
    // Assigned after super() so `err.name` is the remote name, not 'HubError' or 'Error'.
    Object.defineProperty(this, 'name', {value: name || 'Error', writable: true, configurable: true});
    this.code = code == null ? null : code;
    this.source = source === 'remote' ? 'remote' : 'hub';
    if (status !== undefined) this.status = status;
  }
}

function hubError(name, message, code = null, status) {
  return new HubError({name, message, code, source: 'hub'}, status);
}

/** Turns whatever a published method threw into the protocol's `{name, message, code}`. */
function toWireError(err) {
  if (err instanceof Error) {
    return {name: err.name || 'Error', message: String(err.message), code: err.code == null ? null : String(err.code)};
  }
  if (err && typeof err === 'object' && typeof err.message === 'string') {
    // Pandora-era code sometimes throws plain `{name, message}` objects; keep their fields.
    return {name: String(err.name || 'Error'), message: err.message, code: err.code == null ? null : String(err.code)};
  }
  return {name: 'Error', message: String(err), code: null};
}

module.exports = {HubError, hubError, toWireError};
