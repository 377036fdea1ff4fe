/**
 * @file hal.h
 * @brief The firmware's hardware layer: four calls, one file per target
 *        (hal_host.c: pseudo-terminal; hal_mps2.c: UART0 of QEMU mps2-an386).
 */
#ifndef GE_HAL_H
#define GE_HAL_H

#include <stddef.h>
#include <stdint.h>

/** Bring up the serial port (and FPU, clocks) ; 0 on success. */
int hal_init(void);
/** Next received byte (blocking), or -1 when the stream has ended. */
int hal_getc(void);
/** Send n bytes (blocking). */
void hal_write(const uint8_t *p, size_t n);
/** Stop the device with an exit code (semihosting on the emulator). */
void hal_exit(int code);
/** A free-running cycle counter (SysTick on the M4; 0 where there is none). */
uint32_t hal_cycles(void);

#endif
