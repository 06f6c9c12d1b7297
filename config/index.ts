export { ConfigError, loadPlatformConfig, parsePlatformConfig, plaintextSecretLeaves, type PlatformConfig, type RawConfig, type SecretValues } from "./load";
export { APP_NAMES, type AppName, PROJECT } from "./schema";
export { COLOURS, type Colour, type Environment, otherColour } from "./primitives";
