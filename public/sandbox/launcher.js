// Copies the chosen practitioner into each launch form before it is submitted.
document.addEventListener('submit', (event) => {
  const form = event.target;
  const field = form.querySelector('.practitioner-field');
  const select = document.getElementById('practitioner');
  if (field && select) field.value = select.value;
});
