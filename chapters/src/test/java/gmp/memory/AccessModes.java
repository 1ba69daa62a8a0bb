package gmp.memory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.reflect.AccessFlag;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The memory accesses a method makes, in bytecode order, with the access mode of each: what a
 * learner's code asks of the memory model, read from its class file (JDK 25's java.lang.classfile).
 *
 * <p>A field is accessed plainly ({@code getfield}/{@code putfield}; volatile if the field is), or
 * through a VarHandle whose method names the mode ({@code setRelease}, {@code getAcquire}, ...).
 * The handle's field is the one it is named after, in capitals, as java.util.concurrent names them
 * ({@code READY} for {@code ready}): the last {@code getstatic} of a VarHandle before the call.
 * VarHandle fences ({@code releaseFence}, ...) are accesses of no field.
 */
final class AccessModes {
    enum Kind { LOAD, STORE, READ_MODIFY_WRITE, FENCE }

    /** From weakest to strongest, as the JMM ranks them; RELEASE applies to stores, ACQUIRE to loads. */
    enum Mode { PLAIN, OPAQUE, RELEASE, ACQUIRE, VOLATILE }

    /** One access: field is null for a fence, whose name is then the VarHandle method. */
    record Access(String field, Kind kind, Mode mode, String how) {
        @Override
        public String toString() {
            return how;
        }
    }

    private static final String VAR_HANDLE = "java/lang/invoke/VarHandle";
    private static final Set<String> FENCES = Set.of("fullFence", "acquireFence", "releaseFence", "loadLoadFence",
            "storeStoreFence");

    private AccessModes() {
    }

    /** The accesses of every method of {@code type} named {@code method}, in bytecode order. */
    static List<Access> of(Class<?> type, String method) {
        ClassModel model = parse(type);
        Set<String> volatiles = model.fields().stream().filter(f -> f.flags().has(AccessFlag.VOLATILE))
                .map(FieldModel::fieldName).map(Object::toString).collect(Collectors.toSet());
        List<Access> accesses = new ArrayList<>();
        for (MethodModel m : model.methods()) {
            if (!m.methodName().equalsString(method) || m.code().isEmpty()) {
                continue;
            }
            String handle = null;
            for (CodeElement e : m.code().get()) {
                if (e instanceof FieldInstruction fi) {
                    String name = fi.name().stringValue();
                    if (fi.opcode() == Opcode.GETSTATIC && fi.typeSymbol().descriptorString().equals("L" + VAR_HANDLE + ";")) {
                        handle = name;
                    } else if (fi.opcode() == Opcode.GETFIELD || fi.opcode() == Opcode.PUTFIELD) {
                        boolean isVolatile = volatiles.contains(name);
                        Kind kind = fi.opcode() == Opcode.GETFIELD ? Kind.LOAD : Kind.STORE;
                        accesses.add(new Access(name, kind, isVolatile ? Mode.VOLATILE : Mode.PLAIN,
                                (isVolatile ? "volatile " : "plain ") + (kind == Kind.LOAD ? "read of " : "write of ") + name));
                    }
                } else if (e instanceof InvokeInstruction ii && ii.owner().asInternalName().equals(VAR_HANDLE)) {
                    String call = ii.name().stringValue();
                    if (FENCES.contains(call)) {
                        accesses.add(new Access(null, Kind.FENCE, fenceMode(call), "VarHandle." + call + "()"));
                    } else if (handle != null) {
                        accesses.add(viaHandle(handle.toLowerCase(Locale.ROOT), call, handle));
                    }
                }
            }
        }
        return accesses;
    }

    private static Access viaHandle(String field, String call, String handle) {
        String how = handle + "." + call;
        return switch (call) {
            case "get" -> new Access(field, Kind.LOAD, Mode.PLAIN, how);
            case "set" -> new Access(field, Kind.STORE, Mode.PLAIN, how);
            case "getOpaque" -> new Access(field, Kind.LOAD, Mode.OPAQUE, how);
            case "setOpaque" -> new Access(field, Kind.STORE, Mode.OPAQUE, how);
            case "getAcquire" -> new Access(field, Kind.LOAD, Mode.ACQUIRE, how);
            case "setRelease" -> new Access(field, Kind.STORE, Mode.RELEASE, how);
            case "getVolatile" -> new Access(field, Kind.LOAD, Mode.VOLATILE, how);
            case "setVolatile" -> new Access(field, Kind.STORE, Mode.VOLATILE, how);
            default -> new Access(field, Kind.READ_MODIFY_WRITE, call.endsWith("Plain") ? Mode.PLAIN
                    : call.endsWith("Acquire") ? Mode.ACQUIRE : call.endsWith("Release") ? Mode.RELEASE : Mode.VOLATILE, how);
        };
    }

    private static Mode fenceMode(String fence) {
        return switch (fence) {
            case "fullFence" -> Mode.VOLATILE;
            case "acquireFence", "loadLoadFence" -> Mode.ACQUIRE;
            default -> Mode.RELEASE;
        };
    }

    private static ClassModel parse(Class<?> type) {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no class file for " + type.getName());
            }
            return ClassFile.of().parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
