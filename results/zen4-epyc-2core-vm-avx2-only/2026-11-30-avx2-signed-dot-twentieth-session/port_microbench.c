// Throughput of independent 8-wide chains of the AVX2 dot steps, in TSC ticks per vector
// (README.md here). Build: gcc -O3 -mavx2 port_microbench.c -o mb && ./mb
#include <immintrin.h>
#include <stdio.h>
#include <x86intrin.h>
#define N 8
#define BODY(EXPR) \
  __m256i acc[N]; for (int i=0;i<N;i++) acc[i]=_mm256_set1_epi32(i); \
  __m256i ones=_mm256_set1_epi16(1); \
  for (long it=0; it<iters; ++it) { \
    _Pragma("GCC unroll 8") for (int i=0;i<N;i++){ __m256i ww=_mm256_loadu_si256((const __m256i*)(wp+32*i)); __m256i p=EXPR; acc[i]=_mm256_add_epi32(acc[i],_mm256_madd_epi16(p,ones)); } \
    __asm__ volatile("" : "+r"(wp)); \
  } \
  __m256i s=acc[0]; for(int i=1;i<N;i++) s=_mm256_add_epi32(s,acc[i]); return s;
__attribute__((noinline)) __m256i run3(long iters, const char* wp, __m256i a) { BODY(_mm256_maddubs_epi16(ww,a)) }
__attribute__((noinline)) __m256i run4(long iters, const char* wp, __m256i a) { BODY(_mm256_maddubs_epi16(a,_mm256_sign_epi8(ww,a))) }
__attribute__((noinline)) __m256i runx(long iters, const char* wp, __m256i a) { BODY(_mm256_maddubs_epi16(a,_mm256_xor_si256(ww,a))) }
__attribute__((noinline)) __m256i run16(long iters, const char* wp, __m256i a) {
  __m256i acc[N]; for (int i=0;i<N;i++) acc[i]=_mm256_set1_epi32(i);
  for (long it=0; it<iters; ++it) {
    _Pragma("GCC unroll 8") for (int i=0;i<N;i++){ __m256i ww=_mm256_loadu_si256((const __m256i*)(wp+32*i)); acc[i]=_mm256_add_epi16(acc[i],_mm256_maddubs_epi16(ww,a)); }
    __asm__ volatile("" : "+r"(wp));
  }
  __m256i s=acc[0]; for(int i=1;i<N;i++) s=_mm256_add_epi32(s,acc[i]); return s;
}
__attribute__((noinline)) __m256i runadd(long iters, const char* wp, __m256i a) {
  __m256i acc[N]; for (int i=0;i<N;i++) acc[i]=_mm256_set1_epi32(i);
  for (long it=0; it<iters; ++it) {
    _Pragma("GCC unroll 8") for (int i=0;i<N;i++){ __m256i ww=_mm256_loadu_si256((const __m256i*)(wp+32*i)); acc[i]=_mm256_add_epi32(acc[i],_mm256_xor_si256(ww,a)); }
    __asm__ volatile("" : "+r"(wp));
  }
  __m256i s=acc[0]; for(int i=1;i<N;i++) s=_mm256_add_epi32(s,acc[i]); return s;
}
int main(){
  static char w[32*N]; for(int i=0;i<32*N;i++) w[i]=(char)(i*7);
  long it=200000000/N;
  __m256i a=_mm256_set1_epi8(5);
  for (int rep=0; rep<2; ++rep){
  unsigned long t0=__rdtsc(); __m256i r=run3(it,w,a); unsigned long t1=__rdtsc(); __m256i r2=run4(it,w,a); unsigned long t2=__rdtsc();
  __m256i r3=run16(it,w,a); unsigned long t3=__rdtsc(); __m256i r4=runadd(it,w,a); unsigned long t4=__rdtsc(); __m256i r5=runx(it,w,a); unsigned long t5=__rdtsc(); printf("xor+maddubs+madd+add %.3f\n", (double)(t5-t4)/(it*N)); printf("%d\n", _mm256_extract_epi32(r5,0));
  printf("maddubs+madd+add: %.3f  sign+maddubs+madd+add: %.3f  maddubs+addw: %.3f  xor+add: %.3f tsc/vec (%d %d %d %d)\n",(double)(t1-t0)/(it*N),(double)(t2-t1)/(it*N),(double)(t3-t2)/(it*N),(double)(t4-t3)/(it*N), _mm256_extract_epi32(r,0), _mm256_extract_epi32(r2,0), _mm256_extract_epi32(r3,0), _mm256_extract_epi32(r4,0));
  }
}
