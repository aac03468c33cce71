/*
 * UDP sink of the forwarding benchmark: binds N sockets on 127.0.0.1, prints
 * "PORTS p1 ... pN", then counts what arrives with epoll + recvmmsg: RTP
 * packets (and their bytes), RTCP packets and mediasoup's bandwidth probation
 * packets (payload type 127), separately. SRTP packets are counted as RTP
 * without being decrypted (the header stays in clear). Kernel drops on the
 * sockets come from SO_RXQ_OVFL. stdin: "c" prints
 * "COUNT rtp rtcp bytes drops probation"; "q" or EOF exits.
 * Usage: sink N [receive buffer bytes]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define STDIN_TAG 0xffffffffu

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1;
	int rcvbuf = argc > 2 ? atoi(argv[2]) : (1 << 20);
	int ep = epoll_create1(0);
	int *fds = calloc((size_t)n, sizeof *fds);
	unsigned *overflows = calloc((size_t)n, sizeof *overflows);
	if (ep < 0 || !fds || !overflows) { perror("sink"); return 1; }
	printf("PORTS");
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
		setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
		struct sockaddr_in addr = {0};
		addr.sin_family = AF_INET;
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		socklen_t len = sizeof addr;
		if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
		    getsockname(fd, (struct sockaddr *)&addr, &len) < 0) { perror("sink socket"); return 1; }
		printf(" %d", ntohs(addr.sin_port));
		fds[i] = fd;
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
	printf("\n");
	fflush(stdout);
	struct epoll_event in = {.events = EPOLLIN, .data.u32 = STDIN_TAG};
	epoll_ctl(ep, EPOLL_CTL_ADD, 0, &in);

	static char bufs[BATCH][2048];
	static char controls[BATCH][64];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	unsigned long long rtp = 0, rtcp = 0, bytes = 0, probation = 0;
	struct epoll_event events[256];
	for (;;) {
		int k = epoll_wait(ep, events, 256, -1);
		if (k < 0) {
			if (errno == EINTR) continue;
			return 1;
		}
		for (int e = 0; e < k; e++) {
			unsigned idx = events[e].data.u32;
			if (idx == STDIN_TAG) {
				char line[64];
				ssize_t r = read(0, line, sizeof line - 1);
				if (r <= 0 || line[0] == 'q') return 0;
				unsigned long long drops = 0;
				for (int i = 0; i < n; i++) drops += overflows[i];
				printf("COUNT %llu %llu %llu %llu %llu\n", rtp, rtcp, bytes, drops, probation);
				fflush(stdout);
				continue;
			}
			for (;;) {
				for (int i = 0; i < BATCH; i++) {
					iovs[i].iov_base = bufs[i];
					iovs[i].iov_len = sizeof bufs[i];
					memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
					msgs[i].msg_hdr.msg_iov = &iovs[i];
					msgs[i].msg_hdr.msg_iovlen = 1;
					msgs[i].msg_hdr.msg_control = controls[i];
					msgs[i].msg_hdr.msg_controllen = sizeof controls[i];
				}
				int r = recvmmsg(fds[idx], msgs, BATCH, MSG_DONTWAIT, NULL);
				if (r <= 0) break;
				for (int i = 0; i < r; i++) {
					const unsigned char *p = (const unsigned char *)bufs[i];
					if (msgs[i].msg_len < 12) continue;
					if (p[1] >= 200 && p[1] <= 206) rtcp++;
					else if ((p[1] & 0x7f) == 127) probation++;
					else { rtp++; bytes += msgs[i].msg_len; }
					for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
						if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
							memcpy(&overflows[idx], CMSG_DATA(c), sizeof(unsigned));
				}
				if (r < BATCH) break;
			}
		}
	}
}
