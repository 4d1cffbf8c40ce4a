package dev.procgroup.client;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/** An object published by this process: its public instance methods, called reflectively with JSON arguments. */
final class PublishedObject {

    static final Pattern METHOD_NAME = Pattern.compile("^[A-Za-z_$][A-Za-z0-9_$]{0,127}$");

    final String name;
    final Object impl;
    private final Map<String, List<Method>> methods = new TreeMap<>();

    PublishedObject(String name, Object impl) {
        this.name = name;
        this.impl = impl;
        for (Method m : impl.getClass().getMethods()) {
            if (m.getDeclaringClass() == Object.class || Modifier.isStatic(m.getModifiers()) || m.isBridge()
                    || m.isSynthetic() || !METHOD_NAME.matcher(m.getName()).matches()) {
                continue;
            }
            // A public method of a non-public class (lambda, anonymous or private nested class) needs this.
            m.trySetAccessible();
            methods.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(m);
        }
    }

    List<String> methodNames() {
        return List.copyOf(methods.keySet());
    }

    /**
     * Calls {@code method} with JSON {@code args}; completes with the (possibly async) return value, or
     * exceptionally with what the method threw. Callers are JavaScript-like: a missing trailing argument is
     * null and an extra one is ignored when the method has a single overload.
     */
    CompletableFuture<Object> invoke(String method, JsonNode args, ObjectMapper mapper) {
        try {
            List<Method> candidates = methods.get(method);
            if (candidates == null) {
                throw new HubException("MethodNotFound", name + " has no method " + method, null);
            }
            int n = args == null || !args.isArray() ? 0 : args.size();
            Method m = candidates.stream().filter(c -> c.getParameterCount() == n).findFirst()
                    .orElse(candidates.size() == 1 ? candidates.get(0) : null);
            if (m == null) {
                throw new HubException("TypeError", name + "." + method + " has no overload taking " + n + " arguments", null);
            }
            Parameter[] params = m.getParameters();
            Object[] values = new Object[params.length];
            for (int i = 0; i < params.length; i++) {
                JsonNode arg = i < n ? args.get(i) : null;
                if (arg == null && params[i].getType().isPrimitive()) {
                    throw new HubException("TypeError", name + "." + method + ": argument " + i + " is missing", null);
                }
                JavaType type = mapper.getTypeFactory().constructType(params[i].getParameterizedType());
                try {
                    values[i] = arg == null ? null : mapper.convertValue(arg, type);
                } catch (IllegalArgumentException e) {
                    throw new HubException("TypeError", name + "." + method + ": argument " + i + ": " + e.getMessage(), null);
                }
            }
            Object result = m.invoke(impl, values);
            if (result instanceof CompletionStage<?> stage) {
                return stage.toCompletableFuture().thenApply(r -> (Object) r);
            }
            return CompletableFuture.completedFuture(result);
        } catch (InvocationTargetException e) {
            return CompletableFuture.failedFuture(e.getCause());
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The protocol's {@code {name, message, code}} for what a published method threw. */
    static Map<String, Object> wireError(Throwable t) {
        while ((t instanceof CompletionException || t instanceof InvocationTargetException) && t.getCause() != null) {
            t = t.getCause();
        }
        String name = t instanceof HubException h ? h.name() : t.getClass().getSimpleName();
        String code = t instanceof HubException h ? h.code() : null;
        Map<String, Object> e = new TreeMap<>();
        e.put("name", name);
        e.put("message", t.getMessage() == null ? "" : t.getMessage());
        e.put("code", code);
        return e;
    }
}
