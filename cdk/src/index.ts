// The package's API, the same in every jsii language: the two constructs, their props and the
// property types. Everything else (validation.ts, permissions.ts, tags.ts) is internal.
export { ConnectUserFunction, ConnectUserFunctionProps, ResponseMode } from './function';
export {
  AfterContactWorkChannelConfig,
  AfterContactWorkLimit,
  AutoAcceptConfig,
  Channel,
  ConnectUser,
  ConnectUserProps,
  IdentityInfo,
  PersistentConnectionConfig,
  PhoneConfig,
  PhoneNumberConfig,
  PhoneType,
  UserProficiency,
  VoiceEnhancementConfig,
  VoiceEnhancementMode,
} from './user';
export { PropProblem } from './validation';
