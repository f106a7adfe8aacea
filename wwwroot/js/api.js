// The dashboard's only way to the server: JSON over fetch with a timeout, errors as readable messages
// (ProblemDetails' detail when the server sent one).

const TIMEOUT_MS = 8000;

export class ApiError extends Error {
  constructor(message, status, problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

export async function getJson(path) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(path, { headers: { Accept: 'application/json' }, signal: controller.signal, cache: 'no-store' });
  } catch (error) {
    throw new ApiError(error.name === 'AbortError' ? `${path} did not answer within ${TIMEOUT_MS / 1000} s` : `${path} could not be reached`, 0, null);
  } finally {
    clearTimeout(timer);
  }

  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }

  if (!response.ok) {
    const detail = body && (body.detail || body.title);
    throw new ApiError(detail || `${path} answered ${response.status}`, response.status, body);
  }

  return { body, headers: response.headers };
}
