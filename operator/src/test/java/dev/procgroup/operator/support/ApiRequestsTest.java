package dev.procgroup.operator.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiRequestsTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "GET    | -                            | /api/v1/namespaces/ns/pods                    | list   | pods              | ns",
      "GET    | watch=true&resourceVersion=1 | /api/v1/namespaces/ns/pods                    | watch  | pods              | ns",
      "GET    | labelSelector=a&watch=1      | /apis/apps/v1/deployments                     | watch  | deployments       | ''",
      "GET    | -                            | /apis/apps/v1/namespaces/ns/deployments/web   | get    | deployments       | ns",
      "PATCH  | fieldManager=x&force=true    | /apis/apps/v1/namespaces/ns/deployments/web   | patch  | deployments       | ns",
      "PATCH  | -                            | /apis/procgroup.dev/v1alpha1/namespaces/n2/processgroups/g/status | patch | processgroups/status | n2",
      "POST   | -                            | /api/v1/namespaces/ns/events                  | create | events            | ns",
      "PUT    | -                            | /apis/coordination.k8s.io/v1/namespaces/s/leases/l | update | leases       | s",
      "DELETE | -                            | /api/v1/namespaces/ns/services/web            | delete | services          | ns",
      "GET    | -                            | /api/v1/namespaces/ns                         | get    | namespaces        | ''",
      "GET    | -                            | /api/v1/namespaces                            | list   | namespaces        | ''",
  })
  void namesVerbResourceAndNamespaceOfARequest(String method, String query, String path, String verb,
      String resource, String namespace) {
    assertThat(ApiRequests.verb(method, query, path)).isEqualTo(verb);
    assertThat(ApiRequests.resource(path)).isEqualTo(resource);
    assertThat(ApiRequests.namespace(path)).isEqualTo(namespace);
  }

  @Test
  void onlyVerbsThatChangeSomethingAreWrites() {
    assertThat(java.util.List.of("create", "update", "patch", "delete")).allMatch(ApiRequests::isWrite);
    assertThat(java.util.List.of("get", "list", "watch")).noneMatch(ApiRequests::isWrite);
  }
}
