package gmp.agent;

import java.util.HashSet;
import java.util.Set;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites one class file: a call to {@code Safepoint.poll()} at the entry of every method with
 * code (static initializers excepted) and just before every backward jump. This is where Go's
 * {@code preemptibleloops} experiment puts its reschedule check (loopreschedchecks.go: "on loop
 * backedges"), and where Go's function prologue has its stack check.
 *
 * <p>A jump is backward when its target label was visited earlier: ASM visits a method's code in
 * order, so a label already seen is at a lower offset. The poll goes before the jump instruction,
 * after any label the jump sits on, so it is in the jump's own basic block: no new branch target,
 * no change to the operand stack ({@code ()V}), and so no stack map frame to add or recompute. The
 * writer starts from the reader's constant pool and copies unchanged what it is not asked to change.
 */
final class PollInserter {
    static final String SAFEPOINT = "gmp/runtime/Safepoint";
    static final String POLL = "poll";
    static final String POLL_DESCRIPTOR = "()V";

    /** The rewritten class file and how many polls it got (0: nothing to change). */
    record Result(byte[] classfile, int polls) {
    }

    private PollInserter() {
    }

    static Result insert(byte[] classfile) {
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] polls = {0};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                return name.equals("<clinit>") ? mv : new Polls(mv, polls);
            }
        }, 0);
        return new Result(writer.toByteArray(), polls[0]);
    }

    /** One method: a poll at its entry and before each backward jump. */
    private static final class Polls extends MethodVisitor {
        private final Set<Label> seen = new HashSet<>();
        private final int[] polls;

        Polls(MethodVisitor mv, int[] polls) {
            super(Opcodes.ASM9, mv);
            this.polls = polls;
        }

        /** Called only for a method with code (not abstract, not native), before its first instruction. */
        @Override
        public void visitCode() {
            super.visitCode();
            poll();
        }

        @Override
        public void visitLabel(Label label) {
            seen.add(label);
            super.visitLabel(label);
        }

        @Override
        public void visitJumpInsn(int opcode, Label target) {
            if (seen.contains(target)) {
                poll();
            }
            super.visitJumpInsn(opcode, target);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            if (anySeen(dflt, labels)) {
                poll();
            }
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            if (anySeen(dflt, labels)) {
                poll();
            }
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        private boolean anySeen(Label dflt, Label[] labels) {
            if (seen.contains(dflt)) {
                return true;
            }
            for (Label l : labels) {
                if (seen.contains(l)) {
                    return true;
                }
            }
            return false;
        }

        private void poll() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, SAFEPOINT, POLL, POLL_DESCRIPTOR, false);
            polls[0]++;
        }
    }
}
