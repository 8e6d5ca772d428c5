/* The exec floor: what starting any dynamically linked C program costs. */
int main(void)
{
	return 0;
}
