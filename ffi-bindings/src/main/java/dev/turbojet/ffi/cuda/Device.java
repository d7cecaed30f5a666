package dev.turbojet.ffi.cuda;

/** A CUdevice: the driver's ordinal for one GPU. */
public record Device(int ordinal) {}
