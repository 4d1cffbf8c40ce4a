package dev.procgroup.client;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Field;
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

/**
 * An object published by this process: its public instance methods, called reflectively with JSON arguments, and
 * its public instance fields (Pandora's properties, read with getProperty). {@link ObjectEvents}' own methods are not
 * published: the hub serves them as object events.
 */
final class PublishedObject {

    final String name;
    final Object impl;
    private final Map<String, List<Method>> methods = new TreeMap<>();
    private final Map<String, Field> properties = new TreeMap<>();
    /** Object events: register -> the consumers' count and the callback handed to the object. */
    final Map<String, Registration> registers = new java.util.concurrent.ConcurrentHashMap<>();

    record Registration(int count, ObjectEvents.Callback callback) {}

    PublishedObject(String name, Object impl) {
        this.name = name;
        this.impl = impl;
        for (Method m : impl.getClass().getMethods()) {
            if (m.getDeclaringClass() == Object.class || m.getDeclaringClass() == ObjectEvents.class
                    || Modifier.isStatic(m.getModifiers()) || m.isBridge()
                    || m.isSynthetic() || !Rules.METHOD.matcher(m.getName()).matches() || Rules.reserved(m.getName())
                    || (impl instanceof ObjectEvents && isEventMethod(m))) {
                continue;
            }
            // A public method of a non-public class (lambda, anonymous or private nested class) needs this.
            m.trySetAccessible();
            methods.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(m);
        }

        for (Field f : impl.getClass().getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && Rules.METHOD.matcher(f.getName()).matches()) {
                f.trySetAccessible();
                properties.put(f.getName(), f);
            }
        }
    }

    private static boolean isEventMethod(Method m) {
        return (m.getName().equals("subscribe") || m.getName().equals("unsubscribe")) && m.getParameterCount() == 2
                && m.getParameterTypes()[1] == ObjectEvents.Callback.class;
    }

    /** The published method names, the reserved ones this client serves for every object included. */
    List<String> methodNames() {
        List<String> names = new ArrayList<>(methods.keySet());
        names.add(Rules.DISPATCH);
        names.add(Rules.GET_PROPERTY);
        if (impl instanceof ObjectEvents) {
            names.add(Rules.SUBSCRIBE);
            names.add(Rules.UNSUBSCRIBE);
        }
        return names;
    }

    List<String> propertyNames() {
        return List.copyOf(properties.keySet());
    }

    boolean hasMethod(String method) {
        return methods.containsKey(method);
    }

    /** A published field's value, null when there is none of that name. */
    Object property(String name) {
        Field f = properties.get(name);
        try {
            return f == null ? null : f.get(impl);
        } catch (IllegalAccessException e) {
            return null;
        }
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
