package gmp.memory.litmus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** The VarHandle of an int field of a litmus test's state, for the access modes a test uses. */
final class Handles {
    private Handles() {
    }

    static VarHandle field(Class<?> state, String name) {
        try {
            return MethodHandles.lookup().findVarHandle(state, name, int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
