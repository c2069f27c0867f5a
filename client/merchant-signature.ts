/** For merchants: verify the engine's signed notifications (the signing lives in common/merchant-signature.ts). */
export {
  EVENT_ID_HEADER,
  SEQUENCE_HEADER,
  SIGNATURE_HEADER,
  verifyMerchantSignature,
  type SignatureCheck,
} from '../common/merchant-signature';
