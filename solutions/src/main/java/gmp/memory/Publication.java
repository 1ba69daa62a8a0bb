package gmp.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A value published by one thread and read by another: message passing (MP), the shape of every
 * publication in the runtime (a G's fields before its slot in the run queue, chapter 02; a
 * channel's element before the receiver is readied, chapter 05).
 *
 * <p>The writer stores {@code data}, then {@code ready}; the reader loads {@code ready}, then
 * {@code data}. With plain accesses the JMM lets the reader see {@code ready == 1} and the old
 * {@code data}: the compiler or the CPU may reorder either pair. The exercise: make it correct with
 * the weakest access modes that suffice, through the {@link #READY} handle (or fences), leaving
 * {@code data} plain. The test reads this class's bytecode to see which modes you chose, and runs
 * it under jcstress (docs/en/09-memory-model.md#publication).
 */
public final class Publication {
    /** What {@link #read} returns before anything is published. */
    public static final int NOTHING = -1;

    /** {@code ready}'s handle: its methods name the access mode (setRelease, getAcquire, ...). */
    static final VarHandle READY;

    static {
        try {
            READY = MethodHandles.lookup().findVarHandle(Publication.class, "ready", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private int data;
    @SuppressWarnings("unused") // read and written through READY in the solution
    private int ready;

    /** Writer: publishes value (not negative), once. */
    public void publish(int value) {
        // BEGIN SOLUTION ch09 #publication
        // TODO: write data, then set ready to 1 so that a reader who sees ready == 1 also sees data.
        //       Use the weakest mode of READY that orders the data store before it.
        data = value;
        READY.setRelease(this, 1);
        // END SOLUTION
        // STUB: data = value;
        // STUB: ready = 1;
    }

    /** Reader: the published value, or {@link #NOTHING} if ready is not yet 1. */
    public int read() {
        // BEGIN SOLUTION ch09 #publication
        // TODO: read ready; if it is 1, read data and return it. Use the weakest mode of READY that
        //       orders the data load after it.
        if ((int) READY.getAcquire(this) == 0) {
            return NOTHING;
        }
        return data;
        // END SOLUTION
        // STUB: if (ready == 0) {
        // STUB:     return NOTHING;
        // STUB: }
        // STUB: return data;
    }
}
