import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { adoptionOptions } from "../adoption";

/** Arguments of {@link EcrRepository}. */
export interface EcrRepositoryArgs {
  /** Repository name as it appears in image URLs. Default: the component's name. */
  repositoryName?: string;
  /** Images kept; older ones are expired by a lifecycle rule. This is the roll-back window. Default: 20. */
  keepImages?: number;
  /** Protect the repository and keep it in the cloud when removed from the program (production). */
  stateful: { protect: boolean; retainOnDelete: boolean };
  /** Tags of the repository. Default: none. */
  tags?: Record<string, string>;
  /** Adopt the existing repository named `repositoryName` with `import` (its ID is its name). Default: false. */
  adopt?: boolean;
}

/** The lifecycle policy that keeps the newest `keep` images of any tag status. Pure, for tests. */
export function keepLastImagesPolicy(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `keep the last ${keep} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}

/**
 * A private image registry: scan on push, immutable tags (a tag always names the image it named,
 * so rolling back to a previous tag brings back exactly that build), and a keep-last-N rule.
 */
export class EcrRepository extends pulumi.ComponentResource {
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, what `docker push` takes. */
  public readonly repositoryUrl: pulumi.Output<string>;
  /** Repository ARN. */
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: EcrRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:EcrRepository", name, {}, opts);
    const keep = args.keepImages ?? 20;
    if (!Number.isInteger(keep) || keep < 1 || keep > 1000) {
      throw new Error(`EcrRepository ${name}: keepImages must be a whole number from 1 to 1000, got ${keep}`);
    }
    const repositoryName = args.repositoryName ?? name;
    if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(repositoryName)) {
      throw new Error(`EcrRepository ${name}: repositoryName must be lower-case letters, digits, '.', '_', '-', '/', got ${JSON.stringify(repositoryName)}`);
    }
    const repository = new aws.ecr.Repository(
      name,
      {
        name: repositoryName,
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "IMMUTABLE",
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: false,
        tags: args.tags,
      },
      { parent: this, ...adoptionOptions(args.stateful, args.adopt ? repositoryName : undefined) },
    );
    new aws.ecr.LifecyclePolicy(`${name}-keep-last`, { repository: repository.name, policy: keepLastImagesPolicy(keep) }, { parent: this });
    this.repositoryUrl = repository.repositoryUrl;
    this.arn = repository.arn;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, arn: this.arn });
  }
}
