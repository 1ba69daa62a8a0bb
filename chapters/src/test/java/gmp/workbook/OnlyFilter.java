package gmp.workbook;

import java.util.Locale;
import java.util.Optional;

import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * {@code ./gmp test NN <words>}: keeps only the tests whose display name or method name contains
 * the words of {@code -Dgmp.only} (case-insensitive; a parameterized test's calls go with their
 * method). Registered in {@code META-INF/services/org.junit.platform.launcher.PostDiscoveryFilter},
 * like the scoreboard's listener; without the property, every test stays.
 */
public final class OnlyFilter implements PostDiscoveryFilter {
    @Override
    public FilterResult apply(TestDescriptor descriptor) {
        String only = System.getProperty("gmp.only", "").strip().toLowerCase(Locale.ROOT);
        // A parameterized or factory method is a container whose calls appear only while it runs:
        // it is kept or dropped here, as a whole, like a plain test method.
        boolean method = descriptor.getSource().filter(MethodSource.class::isInstance).isPresent();
        if (only.isEmpty() || !(descriptor.isTest() || method)) {
            return FilterResult.included("no name filter, or not a test");
        }
        for (Optional<TestDescriptor> d = Optional.of(descriptor); d.isPresent(); d = d.get().getParent()) {
            TestDescriptor node = d.get();
            String name = node.getSource().orElse(null) instanceof MethodSource m ? m.getMethodName() : "";
            if (node.getDisplayName().toLowerCase(Locale.ROOT).contains(only)
                    || name.toLowerCase(Locale.ROOT).contains(only)) {
                return FilterResult.included("its name contains '" + only + "'");
            }
            if (node.getSource().filter(s -> !(s instanceof MethodSource)).isPresent()) {
                break;
            }
        }
        return FilterResult.excluded("its name does not contain '" + only + "'");
    }
}
