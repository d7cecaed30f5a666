/**
 * 8-bit RGB images, PNG reading and writing with text chunks, resizing of init images.
 *
 * <p>May depend on: no other turbojet package.
 */
package dev.turbojet.image;
