/**
 * The name rules of k8s.io/apimachinery/pkg/util/validation, as the API server applies them.
 * Each check returns null when the text is valid, else a Problem: a short statement of what was expected
 * (the `expected` field of an issue), or, when only the length is wrong, the limit, which upstream reports
 * alone ("must be no more than 63 characters"). All regular expressions are compiled once, here.
 */

/** What is wrong with a name: the rule it breaks, or the length limit it exceeds (of `part` of it, if given). */
export type Problem = string | { readonly max: number; readonly part?: 'name part' | 'prefix' }

const tooLong = (max: number, part?: 'name part' | 'prefix'): Problem => (part ? { max, part } : { max })

// "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start
// and end with an alphanumeric character" (IsDNS1123Label), at most 63 characters.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
// RFC 1123 subdomain: dot-separated RFC 1123 labels, at most 253 characters (IsDNS1123Subdomain).
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
// RFC 1035 label: like an RFC 1123 label but starting with a letter (IsDNS1035Label).
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/
// "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])": the name part of a qualified name and a label value.
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
// IANA_SVC_NAME (RFC 6335): lowercase letters, digits and '-'.
const PORT_NAME_CHARS = /^[-a-z0-9]+$/
const HAS_LETTER = /[a-z]/

const LABEL_MAX = 63
const SUBDOMAIN_MAX = 253
const PORT_NAME_MAX = 15

const EXPECT_LABEL = 'an RFC 1123 label: at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit'
const EXPECT_SUBDOMAIN =
  'an RFC 1123 subdomain: at most 253 characters, dot-separated parts of lowercase letters, digits or "-", each starting and ending with a letter or digit'
const EXPECT_1035 = 'an RFC 1035 label: at most 63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit'
const EXPECT_NAME_PART = 'at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'

/** Namespace names (ValidateNamespaceName) and Service port names. */
export function dnsLabelProblem(s: string): Problem | null {
  if (!DNS1123_LABEL.test(s)) return EXPECT_LABEL
  return s.length <= LABEL_MAX ? null : tooLong(LABEL_MAX)
}

/** Names of most objects (NameIsDNSSubdomain), and label key prefixes. */
export function dnsSubdomainProblem(s: string): Problem | null {
  if (!DNS1123_SUBDOMAIN.test(s)) return EXPECT_SUBDOMAIN
  return s.length <= SUBDOMAIN_MAX ? null : tooLong(SUBDOMAIN_MAX)
}

/** Service names (ValidateServiceName = NameIsDNS1035Label). */
export function dns1035LabelProblem(s: string): Problem | null {
  if (!DNS1035_LABEL.test(s)) return EXPECT_1035
  return s.length <= LABEL_MAX ? null : tooLong(LABEL_MAX)
}

/**
 * A label key is a qualified name (IsQualifiedName): an optional prefix that is a DNS subdomain and a
 * "/", then a name part of at most 63 characters.
 */
export function labelKeyProblem(key: string): Problem | null {
  const slash = key.indexOf('/')
  let name = key
  if (slash >= 0) {
    if (key.indexOf('/', slash + 1) >= 0) return 'a qualified name with at most one "/"'
    const prefix = key.slice(0, slash)
    name = key.slice(slash + 1)
    if (prefix === '') return 'a non-empty prefix before "/"'
    const p = dnsSubdomainProblem(prefix)
    if (p !== null) return typeof p === 'string' ? `a prefix that is ${EXPECT_SUBDOMAIN}` : tooLong(SUBDOMAIN_MAX, 'prefix')
  }
  if (name === '') return 'a non-empty name part'
  if (!QUALIFIED_NAME.test(name)) return `a name part of ${EXPECT_NAME_PART}`
  return name.length <= LABEL_MAX ? null : tooLong(LABEL_MAX, 'name part')
}

/** "must be 63 characters or less (can be empty)" with the same characters as a name part (IsValidLabelValue). */
export function labelValueProblem(value: string): Problem | null {
  if (value === '') return null
  if (!QUALIFIED_NAME.test(value)) return `empty, or ${EXPECT_NAME_PART}`
  return value.length <= LABEL_MAX ? null : tooLong(LABEL_MAX)
}

/**
 * IsValidPortName (IANA_SVC_NAME): 1 to 15 characters of a-z, 0-9 and "-", at least one letter, no "--",
 * not starting or ending with "-". So "80" is not a valid port name.
 */
export function portNameProblem(name: string): Problem | null {
  if (name.length === 0) return 'an IANA service name of 1 to 15 characters'
  if (name.length > PORT_NAME_MAX) return tooLong(PORT_NAME_MAX)
  if (!PORT_NAME_CHARS.test(name)) return 'an IANA service name of lowercase letters, digits and "-"'
  if (!HAS_LETTER.test(name)) return 'an IANA service name with at least one letter'
  if (name.includes('--')) return 'an IANA service name without "--"'
  if (name.startsWith('-') || name.endsWith('-')) return 'an IANA service name that does not start or end with "-"'
  return null
}

/** IsValidPortNum: 1 to 65535 inclusive. */
export function isPortNumber(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535
}
