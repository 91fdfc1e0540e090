// Public face of the SLASH transport (FHI's API Mottak): protection, keys, proof, request,
// answers and their classification, and the client that ties them together. It knows nothing of
// message types: it sends JSON bytes under a type and version it is given.
export {
  protect,
  unprotect,
  unwrapKey,
  decryptBody,
  decodeEncSymKey,
  msgHashOf,
  UnprotectError,
  SYMMETRIC_KEY_BYTES,
  IV_BYTES,
  type Protected,
  type WrappingKey,
} from './protect.ts';
export { SlashKeys, SlashKeyError, chooseKey, parseExpiration, type SlashKey, type SlashKeyErrorCode, type SlashKeysOptions } from './keys.ts';
export { createSlashProof, bindingsOf, describeProof, BINDING_CLAIMS, type MessageBindings, type SlashProofInput } from './proof.ts';
export { slashHeaders, checkVendorHeaders, extractionDate, isExtractionDate, VENDOR_HEADER_NAMES, EXTRACTION_DATE_HEADER, type VendorHeaders } from './request.ts';
export { parseAnswer, schemaErrorLines, type SlashAnswer, type SlashErrorItem } from './answer.ts';
export { SLASH_CODES, slashCode, codeNamed, ACTION_RANK, type SlashAction, type SlashCode } from './codes.ts';
export { classifySlash, type SlashOutcome } from './classify.ts';
export { SlashClient, type SlashClientOptions, type SlashMessage, type SlashResult, type SlashAttempt } from './client.ts';
export { explainRefusal } from './explain.ts';
