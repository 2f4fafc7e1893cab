// Doca's hello-world: prints, in Brazilian Portuguese and English, what Docker did to show this message. Like
// Docker's own, it has no C runtime: _start writes the text with raw system calls and exits, so the static
// binary stays a few kilobytes. Raw calls, not libc's syscall(): that one stores errno in thread-local
// storage nobody set up here, and crashes when a write fails (docker run hello-world > /dev/full).
#include <sys/syscall.h>

static long system_call(long number, long a, long b, long c) {
#if defined(__x86_64__)
	long result;
	__asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return result;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = number;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
#else
#error "hello.c needs the raw system call sequence for this architecture"
#endif
}

static const char message[] =
	"Olá do Docker! / Hello from Docker!\n"
	"\n"
	"[pt-BR]\n"
	"Esta mensagem mostra que a sua instalação parece estar funcionando.\n"
	"\n"
	"Para gerar esta mensagem, o Docker fez o seguinte:\n"
	" 1. O cliente Docker (o comando docker) contatou o daemon Docker (dockerd).\n"
	" 2. O daemon baixou a imagem \"hello-world\" do registry: aqui, o espelho\n"
	"    (mirror) do Docker Hub que o Doca mantém.\n"
	" 3. O daemon criou um novo contêiner a partir dessa imagem e executou nele\n"
	"    este programa, que produz a saída que você está lendo agora.\n"
	" 4. O daemon transmitiu essa saída para o cliente Docker, que a enviou\n"
	"    para o seu terminal.\n"
	"\n"
	"Para tentar algo mais ambicioso, rode um contêiner Debian com:\n"
	" $ docker run -it debian bash\n"
	"\n"
	"[en]\n"
	"This message shows that your installation appears to be working correctly.\n"
	"\n"
	"To generate this message, Docker took the following steps:\n"
	" 1. The Docker client (the docker command) contacted the Docker daemon (dockerd).\n"
	" 2. The Docker daemon pulled the \"hello-world\" image from the registry: here,\n"
	"    the Docker Hub mirror that Doca runs.\n"
	" 3. The Docker daemon created a new container from that image, which runs\n"
	"    this program, the executable that produces the output you are reading.\n"
	" 4. The Docker daemon streamed that output to the Docker client, which sent it\n"
	"    to your terminal.\n"
	"\n"
	"To try something more ambitious, you can run a Debian container with:\n"
	" $ docker run -it debian bash\n";

void _start(void) {
	const char *next = message;
	long left = sizeof(message) - 1;
	int status = 0;
	while (left > 0) {
		long written = system_call(SYS_write, 1, (long)next, left);
		if (written <= 0) {
			status = 1;
			break;
		}
		next += written;
		left -= written;
	}
	system_call(SYS_exit, status, 0, 0);
	for (;;) {
	}
}
