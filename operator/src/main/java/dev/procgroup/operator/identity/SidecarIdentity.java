package dev.procgroup.operator.identity;

/**
 * What every hub sidecar needs to get its certificate and check its peers' (sidecar/SECURITY.md): the issuer's URL,
 * the CA certificate (public: it goes into the pod template as an environment variable) and the trust domain.
 */
public record SidecarIdentity(String issuerUrl, String caPem, String trustDomain) {
  /** The audience of the projected ServiceAccount token the sidecar presents to the issuer. */
  public static final String AUDIENCE = "procgroup-identity";

  /** The SPIFFE ID a group's certificates carry. */
  public static String spiffeId(String trustDomain, String namespace, String group) {
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/pg/" + group;
  }
}
