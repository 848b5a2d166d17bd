amxlab_add_test(test_golden LABEL fast SOURCES golden/test_golden.cpp LIBS amxlab::reference)
