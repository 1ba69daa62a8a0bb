package gmp.agent;

import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Which classes get polls: goroutine code, never the JDK, a library or the runtime itself. The
 * rule, step by step, is in {@link PreemptAgent}'s top comment; this class is that rule and
 * nothing else, so that its tests can ask it about any class.
 */
final class Include {
    /** Packages (in internal form, with a trailing slash) of the JDK: never instrumented. */
    private static final List<String> JDK = List.of("java/", "javax/", "jdk/", "sun/", "com/sun/");
    /** The runtime and its tooling: never instrumented, except chapter tests (see RUNTIME_WITH_TESTS). */
    private static final List<String> RUNTIME = List.of("gmp/runtime/", "gmp/sync/", "gmp/agent/", "gmp/tools/", "gmp/workbook/");
    /** The runtime's packages that chapter tests sit in, to reach package-private parts. */
    private static final List<String> RUNTIME_WITH_TESTS = List.of("gmp/runtime/", "gmp/sync/");
    /** What a poll calls; a class is instrumented only where its loader finds it. */
    static final String SAFEPOINT_CLASS = "gmp/runtime/Safepoint.class";

    static final Include DEFAULT = new Include(List.of("gmp/"));

    private final List<String> packages;
    /** Per loader: whether it finds the Safepoint class (weak: a test's loaders come and go). */
    private final Map<ClassLoader, Boolean> seesSafepoint = new WeakHashMap<>();

    private Include(List<String> packages) {
        this.packages = List.copyOf(packages);
    }

    /** This rule with one more package to instrument, in source form ({@code com.example}). */
    Include with(String pkg) {
        if (pkg.isEmpty()) {
            throw new IllegalArgumentException("gmp agent: include= needs a package, e.g. include=com.example");
        }
        List<String> more = new ArrayList<>(packages);
        more.add(pkg.replace('.', '/') + "/");
        return new Include(more);
    }

    /** Whether the class being loaded gets polls. */
    boolean test(ClassLoader loader, String className, ProtectionDomain domain) {
        if (className == null || loader == null || loader == ClassLoader.getPlatformClassLoader()
                || startsWithAny(className, JDK) || !startsWithAny(className, packages)
                || className.contains("/jmh_generated/")) {
            return false;
        }
        if (startsWithAny(className, RUNTIME)
                && !(startsWithAny(className, RUNTIME_WITH_TESTS) && fromTestClasses(domain))) {
            return false;
        }
        return seesSafepoint(loader);
    }

    /** Whether the class comes from a {@code test-classes} directory, Maven's test output. */
    static boolean fromTestClasses(ProtectionDomain domain) {
        CodeSource source = domain == null ? null : domain.getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null || !location.getProtocol().equals("file")) {
            return false;
        }
        String path = location.getPath();
        return path.endsWith("/test-classes/") || path.endsWith("/test-classes");
    }

    private boolean seesSafepoint(ClassLoader loader) {
        synchronized (seesSafepoint) {
            return seesSafepoint.computeIfAbsent(loader, l -> l.getResource(SAFEPOINT_CLASS) != null);
        }
    }

    private static boolean startsWithAny(String name, List<String> prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
