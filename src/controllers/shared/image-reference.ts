// The tag of a container image reference, as the API server reads it to default imagePullPolicy.
// upstream: k8s.io/kubernetes pkg/util/parsers/parsers.go ParseImageName, on top of
// github.com/distribution/reference (normalize.go ParseNormalizedNamed, splitDockerDomain;
// reference.go Parse; regexp.go, the reference grammar) and github.com/opencontainers/go-digest
// (Digest.Validate). Pure.
//
// Why the grammar matters: SetDefaults_Container ignores a parse error, and an unparsable reference
// then has no tag, so it defaults to IfNotPresent even when it has no tag at all; a parsable one
// without tag or digest defaults to Always (its implied tag is `latest`).

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainNameComponent}(?:\\.${domainNameComponent})*|\\[(?:[a-fA-F0-9:]+)\\])`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

/** regexp.go ReferenceRegexp: name, tag, digest. */
const referenceRegexp = new RegExp(`^((?:${domainAndPort}/)?${remoteName})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
/** regexp.go anchoredNameRegexp: the path part of a name, after an optional domain. */
const nameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
/** regexp.go anchoredIdentifierRegexp: an image ID, refused as a name. */
const identifierRegexp = /^[a-f0-9]{64}$/;
/** reference.go RepositoryNameTotalLengthMax. */
const maxPathLength = 255;
/** go-digest: the algorithms parsers.go makes available (crypto/sha256, crypto/sha512) and their hex lengths. */
const digestHexLength: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** normalize.go splitDockerDomain, reduced to what parsing needs: the reference with a domain in front. */
function withDomain(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return `docker.io/library/${image}`;
  const maybeDomain = image.slice(0, slash);
  const rest = image.slice(slash + 1);
  if (maybeDomain === 'localhost') return image;
  if (maybeDomain === 'index.docker.io') return `docker.io/${rest.includes('/') ? rest : `library/${rest}`}`;
  if (/[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) return image;
  return `docker.io/${image}`;
}

/** go-digest Digest.Validate for the available algorithms: lowercase hex of the algorithm's length. */
function digestIsValid(digest: string): boolean {
  const colon = digest.indexOf(':');
  const length = digestHexLength[digest.slice(0, colon)];
  return length !== undefined && new RegExp(`^[a-f0-9]{${length}}$`).test(digest.slice(colon + 1));
}

export interface ParsedImage {
  /** The tag; `latest` when the reference has neither tag nor digest. "" when only a digest. */
  readonly tag: string;
  readonly digest: string;
}

/** ParseImageName: undefined where upstream returns an error (the reference does not parse). */
export function parseImageName(image: string): ParsedImage | undefined {
  if (identifierRegexp.test(image)) return undefined;
  const domainSeparated = withDomain(image);
  const remainder = domainSeparated.slice(domainSeparated.indexOf('/') + 1);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) return undefined;
  const match = referenceRegexp.exec(domainSeparated);
  if (match === null) return undefined;
  const path = nameRegexp.exec(match[1] ?? '')?.[2] ?? match[1] ?? '';
  if (path.length > maxPathLength) return undefined;
  const tag = match[2] ?? '';
  const digest = match[3] ?? '';
  if (digest !== '' && !digestIsValid(digest)) return undefined;
  return { tag: tag === '' && digest === '' ? 'latest' : tag, digest };
}

/**
 * SetDefaults_Container's imagePullPolicy: Always when the tag is `latest` (written or implied),
 * IfNotPresent otherwise, an unparsable reference included. SetDefaults_Volume uses the same rule
 * for image volumes.
 */
export function defaultImagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return parseImageName(image)?.tag === 'latest' ? 'Always' : 'IfNotPresent';
}
