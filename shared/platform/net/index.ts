export { safeFetch, SafeFetchError, type SafeFetchOptions, type SafeFetchResult, type SafeFetchErrorCode } from './safe-fetch.js';
export { parseAllowList, checkAddress, AllowListError, type AllowList, type AllowRule, type Verdict } from './allow.js';
