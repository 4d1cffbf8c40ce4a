package dev.procgroup.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.procgroup.api.v1alpha1.ServiceSpec;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code spec.services[].name} is a hub object name: the CRD's pattern and length (annotations must be constants, so
 * they cannot be read from clients/conformance/rules.json) accept and refuse exactly the shared object-name cases.
 */
class ServiceNameRuleTest {

    @Test
    void theCrdsServiceNameRuleIsTheHubsObjectRule() throws Exception {
        var field = ServiceSpec.class.getDeclaredField("name");
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(field.getAnnotation(Pattern.class).value());
        Size size = field.getAnnotation(Size.class);
        JsonNode objects = new ObjectMapper().readTree(Path.of("../clients/conformance/cases/names.json").toFile()).path("object");
        for (JsonNode n : objects.path("valid")) {
            assertThat(accepts(pattern, size, n.asText())).as("valid %s", n).isTrue();
        }
        for (JsonNode n : objects.path("invalid")) {
            assertThat(accepts(pattern, size, n.asText())).as("invalid %s", n).isFalse();
        }
    }

    private static boolean accepts(java.util.regex.Pattern pattern, Size size, String s) {
        return s.length() >= size.min() && s.length() <= size.max() && pattern.matcher(s).matches();
    }
}
