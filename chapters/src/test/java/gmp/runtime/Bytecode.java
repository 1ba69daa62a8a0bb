package gmp.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.util.ArrayList;
import java.util.List;

/**
 * What a method of the runtime touches, in bytecode order, read from its class file (JDK 25's
 * java.lang.classfile): the calls it makes and the fields it reads and writes, each as
 * {@code Owner.name()} for a call, {@code Owner.name} for a read and {@code Owner.name=} for a write
 * (simple class names).
 *
 * <p>For the few rules of the lock-free run queue that no single-threaded test can reach and that
 * real threads hit too rarely to be a test a learner can trust: a slot claimed with a plain store
 * instead of a CAS, a snapshot of the queue read without re-checking. Chapter 04's Lincheck model
 * check explores those interleavings; these checks name the rule in the chapter that writes it.
 */
final class Bytecode {
    private Bytecode() {
    }

    /** What every method of {@code type} named {@code method} touches, in bytecode order. */
    static List<String> touches(Class<?> type, String method) {
        ClassModel model;
        String resource = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no class file for " + type.getName());
            }
            model = ClassFile.of().parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> touched = new ArrayList<>();
        for (MethodModel m : model.methods()) {
            if (!m.methodName().equalsString(method) || m.code().isEmpty()) {
                continue;
            }
            for (CodeElement e : m.code().get()) {
                if (e instanceof InvokeInstruction call) {
                    touched.add(simple(call.owner().asInternalName()) + "." + call.name().stringValue() + "()");
                } else if (e instanceof FieldInstruction field) {
                    boolean write = field.opcode() == Opcode.PUTFIELD || field.opcode() == Opcode.PUTSTATIC;
                    touched.add(simple(field.owner().asInternalName()) + "." + field.name().stringValue()
                            + (write ? "=" : ""));
                }
            }
        }
        if (touched.isEmpty()) {
            throw new IllegalStateException(type.getSimpleName() + " has no method " + method + " with code");
        }
        return touched;
    }

    private static String simple(String internalName) {
        return internalName.substring(internalName.lastIndexOf('/') + 1);
    }
}
