/* codec_demo.c - encode a telemetry reading into protobuf bytes and decode it back.
 *
 * Shows the generated API of schemas/telemetry.msg without any transport: the struct,
 * _INIT, _MAX_SIZE, _encode, _decode, _free and what msgc_last_error() tells about a
 * malformed input.
 */
#include <stdio.h>
#include <string.h>

#include "telemetry.msg.h"

static void
hexdump(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x%s", p[i], (i % 16 == 15 || i + 1 == n) ? "\n" : " ");
}

int
main(void)
{
    telemetry_Reading r = telemetry_Reading_INIT;
    r.timestamp = 1718000000123456789u;
    strcpy(r.host, "sensor-node-0042");
    r.level = telemetry_Level_LEVEL_WARN;
    r.value = 3.14159265358979;
    for (size_t i = 0; i < 4; i++)
        r.samples[r.samples_count++] = (int32_t)(1000 + 12345 * i);
    r.has_origin = true;
    r.origin.x = 1234;
    r.origin.y = -5678;
    r.payload_case = telemetry_Reading_payload_code;
    r.payload.code = 42;

    /* A buffer of telemetry_Reading's largest encoding would need no size check, but
     * Reading has an optional pointer to another Reading, so it has no MAX_SIZE: size it. */
    uint8_t buf[512];
    size_t len;
    int rc = telemetry_Reading_encode(&r, buf, sizeof buf, &len);
    if (rc != 0) {
        fprintf(stderr, "encode: %s\n", msgc_strerror(rc));
        return 1;
    }
    printf("encoded telemetry.Reading in %zu bytes (Point's MAX_SIZE is %u):\n", len,
           (unsigned)telemetry_Point_MAX_SIZE);
    hexdump(buf, len);

    telemetry_Reading back = telemetry_Reading_INIT;
    rc = telemetry_Reading_decode(&back, buf, len);
    if (rc != 0) {
        fprintf(stderr, "decode: %s\n", msgc_strerror(rc));
        return 1;
    }
    printf("decoded: host=%s level=%d value=%.5f samples=%zu origin=(%d,%d) code=%lld\n",
           back.host, (int)back.level, back.value, back.samples_count, (int)back.origin.x,
           (int)back.origin.y, (long long)back.payload.code);

    /* Cut the message inside the origin field: the decoder says what and where. */
    rc = telemetry_Reading_decode(&back, buf, len - 3);
    const msgc_error *e = msgc_last_error();
    printf("decoding %zu of %zu bytes: %s (%s) at byte %zu in %s\n", len - 3, len,
           msgc_errname(rc), msgc_strerror(rc), e->offset, e->path);
    telemetry_Reading_free(&back);
    return rc == MSGC_ETRUNC ? 0 : 1;
}
