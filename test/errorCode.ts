/** The coded error a promise rejects with ('accepted' when it resolves): a refusal's code in one line of a test. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
