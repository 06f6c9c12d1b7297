/**
 * How certbot answers Let's Encrypt's DNS-01 challenges for a DigitalOcean app (nmpi, ramascene),
 * and which token it gets (security review M5). One definition for both apps.
 *
 * DigitalOcean's custom token scopes name resource types (`domain:update`), never one domain
 * (www.digitalocean.com/docs/apis-clis/api/create-personal-access-token/, "Custom scopes";
 * docs.digitalocean.com/reference/api/scopes/domain/read/: "View domains and domain records"), so a
 * token that can write `_acme-challenge` records in an app's zone can rewrite every zone of its team.
 * The challenge zone moves the challenge records into a zone of a team of its own.
 */
import { z } from "zod";
import { hostname } from "../primitives";

/** `apps.<app>.acme`: choose the challenge zone, or accept the account-wide token explicitly. */
export const acmeConfig = z
  .strictObject({
    /**
     * Zone that answers the DNS-01 challenges: a DigitalOcean domain in a team of its own, whose
     * token (`secrets.<app>.acmeChallengeZoneToken`) is the only DNS token the nodes hold. The
     * program creates `_acme-challenge.<name>` CNAME `<name>.<challengeZone>.` in the app's zone for
     * every name on the certificates. Default: none.
     */
    challengeZone: hostname.optional(),
    /**
     * Opt-out: certbot writes the challenge records into the app's own zone with
     * `secrets.<app>.acmeDnsToken`, a token that can rewrite every zone of the team (the runbooks'
     * way). Default: false.
     */
    accountWideToken: z.boolean().default(false),
  })
  .optional();
export type AcmeConfig = z.infer<typeof acmeConfig>;

/** The two DNS tokens an app's secrets may hold; exactly one, matching `apps.<app>.acme`. */
export const acmeSecrets = {
  /**
   * With `apps.<app>.acme.challengeZone`: a token of the challenge zone's own DigitalOcean team,
   * scopes domain:read, domain:create, domain:delete. Reaches only that team's zones.
   */
  acmeChallengeZoneToken: z.string().min(20, "a DigitalOcean API token of the challenge zone's team, with the domain scopes only").optional(),
  /**
   * With `apps.<app>.acme.accountWideToken: true` only: a token with the domain scopes of the team
   * holding the app's zone, which can rewrite every zone of that team.
   */
  acmeDnsToken: z.string().min(20, "a DigitalOcean API token with the domain scopes only").optional(),
};

/** Which token certbot gets and where it writes: decided by {@link acmeRules}, so exactly one holds. */
export type AcmeMode<T> = { challengeZone: string; token: T } | { challengeZone?: undefined; token: T };

/**
 * Refinement across `apps.<app>` and `secrets.<app>`: an enabled app states how certbot answers
 * DNS-01 (a challenge zone, or the explicit opt-out), and holds exactly the token that choice uses.
 * Every environment: a staging token in the production team reaches production's zones as well.
 */
export function acmeRules(
  app: string,
  config: { dnsZone: string; acme?: AcmeConfig },
  secrets: { acmeChallengeZoneToken?: unknown; acmeDnsToken?: unknown } | undefined,
  ctx: z.RefinementCtx,
): void {
  const acme = config.acme;
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  const zonePath = ["apps", app, "acme", "challengeZone"];
  const optOutPath = ["apps", app, "acme", "accountWideToken"];
  const zoneTokenPath = ["secrets", app, "acmeChallengeZoneToken"];
  const wideTokenPath = ["secrets", app, "acmeDnsToken"];
  const zone = acme?.challengeZone;
  // Without secrets.<app> at all, the schema's "required because apps.<app>.enabled" says so once.
  const missing = (key: "acmeChallengeZoneToken" | "acmeDnsToken") => secrets !== undefined && secrets[key] === undefined;
  if (zone !== undefined) {
    if (acme?.accountWideToken) issue(optOutPath, `must not be true when platform:apps.${app}.acme.challengeZone is set: choose one`);
    if (zone === config.dnsZone || config.dnsZone.endsWith(`.${zone}`)) {
      issue(zonePath, `must be a zone outside the app's DNS zone "${config.dnsZone}" (not it, not a parent): its token must reach no record of the app's zone`);
    }
    if (missing("acmeChallengeZoneToken")) {
      issue(zoneTokenPath, `required because platform:apps.${app}.acme.challengeZone is set: the challenge zone team's token (pulumi config set --secret --path 'secrets.${app}.acmeChallengeZoneToken' <token>)`);
    }
    if (secrets?.acmeDnsToken !== undefined) {
      issue(wideTokenPath, `must be removed when platform:apps.${app}.acme.challengeZone is set: the nodes must not hold a token of the app zone's team (pulumi config rm --path 'secrets.${app}.acmeDnsToken')`);
    }
  } else if (acme?.accountWideToken) {
    if (missing("acmeDnsToken")) {
      issue(wideTokenPath, `required because platform:apps.${app}.acme.accountWideToken is true (pulumi config set --secret --path 'secrets.${app}.acmeDnsToken' <token>)`);
    }
    if (secrets?.acmeChallengeZoneToken !== undefined) {
      issue(zoneTokenPath, `is used only with platform:apps.${app}.acme.challengeZone; remove it or set the challenge zone`);
    }
  } else {
    issue(
      zonePath,
      `required: a zone in a DigitalOcean team of its own for the DNS-01 challenges (docs/security.md, "DNS-01 token"); or set platform:apps.${app}.acme.accountWideToken to true to give certbot a token that can rewrite every zone of the team`,
    );
  }
}

/** The token and challenge zone certbot gets, once {@link acmeRules} has passed. */
export function acmeMode<T>(app: string, acme: AcmeConfig, secrets: { acmeChallengeZoneToken?: T; acmeDnsToken?: T }): AcmeMode<T> {
  if (acme?.challengeZone !== undefined && secrets.acmeChallengeZoneToken !== undefined) {
    return { challengeZone: acme.challengeZone, token: secrets.acmeChallengeZoneToken };
  }
  if (acme?.challengeZone === undefined && acme?.accountWideToken && secrets.acmeDnsToken !== undefined) return { token: secrets.acmeDnsToken };
  // The schema's acmeRules refuses every other combination before any resource is registered.
  throw new Error(`${app}: apps.${app}.acme and its DNS token do not match (config validation should have said so)`);
}
